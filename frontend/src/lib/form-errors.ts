import { useState } from 'react';
import { ApiError, errorMessage } from '@/lib/api-client';

/** Splits an error into a message for the field the problem names (if the form has it) and a form-level message. */
export function useFormErrors(fields: readonly string[]) {
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string>();

  const show = (error: unknown) => {
    if (error instanceof ApiError && error.field && fields.includes(error.field)) {
      setFieldErrors({ [error.field]: error.problem.detail ?? error.problem.title });
      setFormError(undefined);
    } else {
      setFieldErrors({});
      setFormError(errorMessage(error));
    }
  };
  const clear = () => {
    setFieldErrors({});
    setFormError(undefined);
  };
  return { fieldErrors, formError, show, clear, setFieldErrors };
}
