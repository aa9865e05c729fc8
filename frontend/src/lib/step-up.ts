/**
 * Step-up ("sudo mode"): an operation the contract marks x-step-up answers 403 step-up-required when the session's
 * last authentication is too old. The client asks the registered prompt (a dialog the app mounts) to have the person
 * confirm it is them, and then sends the same request again; without a prompt, or when it is cancelled, the refusal
 * stands.
 */
export const STEP_UP_TYPE = 'https://keysmith.dev/problems/step-up-required';

type Prompt = (detail: string | undefined) => Promise<boolean>;

let prompt: Prompt | undefined;

export function setStepUpPrompt(next: Prompt | undefined) {
  prompt = next;
}

/** Whether the person confirmed (the request may be repeated). */
export async function askToStepUp(detail: string | undefined): Promise<boolean> {
  return prompt ? prompt(detail) : false;
}
