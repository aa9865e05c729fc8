import type { Blocker } from 'react-router';
import { Modal } from '@/components/ui/Modal';

/** Asks whether to leave while a blocker holds a navigation; `onLeave` runs when the person chooses to leave. */
export function LeaveConfirm({
  blocker,
  message,
  onLeave,
}: {
  blocker: Blocker;
  message: string;
  onLeave?: () => void;
}) {
  if (blocker.state !== 'blocked') return null;
  return (
    <Modal title="Leave this page?" onClose={() => blocker.reset()}>
      <p>{message}</p>
      <div className="actions">
        <button type="button" className="button" onClick={() => blocker.reset()}>
          Stay
        </button>
        <button
          type="button"
          className="button button--danger"
          onClick={() => {
            onLeave?.();
            blocker.proceed();
          }}
        >
          Leave
        </button>
      </div>
    </Modal>
  );
}
