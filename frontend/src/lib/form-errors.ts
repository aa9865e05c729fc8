import { useCallback, useEffect, useRef, useState } from 'react';
import { ApiError, errorMessage } from '@/lib/api-client';
import { humanizeMessage } from '@/lib/messages';

/**
 * Splits an error into a message for the field the problem names (if the form has it) and a form-level message,
 * both in words a person reads. After each failed attempt focus moves to the form's error summary (or, in a form
 * without one, its error message or first invalid field), so the message is never off-screen or unannounced.
 */
export function useFormErrors(fields: readonly string[]) {
  const [fieldErrors, setFieldErrorsState] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string>();
  const [attempt, setAttempt] = useState(0);
  // The form being submitted: the one holding the focused element (its submit button) when the error arrived.
  const form = useRef<HTMLFormElement | null>(null);

  const rememberForm = () => {
    const active = document.activeElement;
    form.current = active instanceof HTMLElement ? active.closest('form') : null;
  };

  useEffect(() => {
    if (!attempt) return;
    const root: ParentNode = form.current?.isConnected ? form.current : document;
    const target = root.querySelector<HTMLElement>('[data-error-summary], [data-form-error], [aria-invalid="true"]');
    target?.focus();
    target?.scrollIntoView?.({ block: 'nearest' });
  }, [attempt]);

  const show = (error: unknown) => {
    rememberForm();
    if (error instanceof ApiError && error.field && fields.includes(error.field)) {
      setFieldErrorsState({ [error.field]: humanizeMessage(error.problem.detail ?? error.problem.title) });
      setFormError(undefined);
    } else {
      setFieldErrorsState({});
      setFormError(errorMessage(error));
    }
    setAttempt((a) => a + 1);
  };
  const clear = () => {
    setFieldErrorsState({});
    setFormError(undefined);
  };
  const setFieldErrors = useCallback((errors: Record<string, string>) => {
    rememberForm();
    setFieldErrorsState(errors);
    if (Object.keys(errors).length) setAttempt((a) => a + 1);
  }, []);
  return { fieldErrors, formError, show, clear, setFieldErrors };
}

export type FormErrors = ReturnType<typeof useFormErrors>;

/**
 * For a form that places its own errors (the access-level editor, the policies page): call `failed()` after each
 * failed attempt and focus moves to the form's error summary, as useFormErrors does.
 */
export function useSummaryFocus() {
  const formRef = useRef<HTMLFormElement>(null);
  const [attempt, setAttempt] = useState(0);
  useEffect(() => {
    if (!attempt) return;
    const target = formRef.current?.querySelector<HTMLElement>(
      '[data-error-summary], [data-form-error], [aria-invalid="true"]',
    );
    target?.focus();
    target?.scrollIntoView?.({ block: 'nearest' });
  }, [attempt]);
  const failed = useCallback(() => setAttempt((a) => a + 1), []);
  return { formRef, failed };
}
