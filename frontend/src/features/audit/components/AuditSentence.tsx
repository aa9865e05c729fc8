import { Link } from 'react-router';
import { fieldLabel, sentence, type AuditEvent } from '@/features/audit/api/sentences';

/** One event as a sentence with its names linked, and the names of the fields it changed. */
export function AuditSentence({ event }: { event: AuditEvent }) {
  const changed = event.changedFields ?? [];
  return (
    <>
      <span className="audit-sentence">
        {sentence(event).map((s, i) =>
          s.to ? (
            <Link key={i} to={s.to} className={`audit-sentence__${s.kind ?? 'text'}`}>
              {s.text}
            </Link>
          ) : s.kind ? (
            <span key={i} className={`audit-sentence__${s.kind}`}>
              {s.text}
            </span>
          ) : (
            s.text
          ),
        )}
      </span>
      {changed.length > 0 && <span className="audit-changed"> Changed: {changed.map(fieldLabel).join(', ')}</span>}
    </>
  );
}
