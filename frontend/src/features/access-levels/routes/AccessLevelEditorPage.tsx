import { useMemo, useState, type FormEvent } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { EmptyState, ErrorBox, Loading, PageHeader } from '@/components/ui/Feedback';
import { ErrorSummary, Field, FormError } from '@/components/ui/Field';
import { LeaveConfirm } from '@/components/ui/LeaveConfirm';
import { Modal } from '@/components/ui/Modal';
import {
  createAccessLevel,
  deleteAccessLevel,
  loadEditorData,
  updateAccessLevel,
  type AccessLevel,
  type AccessLevelWrite,
  type FieldRight,
  type FieldRights,
  type PermissionCatalog,
  type RecordScope,
} from '@/features/access-levels/api/access-levels';
import { FieldRightsMatrix } from '@/features/access-levels/components/FieldRightsMatrix';
import { PermissionGroup } from '@/features/access-levels/components/PermissionGroup';
import { DEVELOPER_RESOURCE, NOT_YOURS } from '@/features/access-levels/components/rights';
import { exceeds, rightOf } from '@/lib/field-rights';
import { ApiError, errorMessage } from '@/lib/api-client';
import { hasPermission, useMe, type Me } from '@/lib/auth';
import { clearDraft, loadDraft, useDraft, type Draft as StoredDraft } from '@/lib/drafts';
import { useSummaryFocus } from '@/lib/form-errors';
import { useAsync } from '@/lib/use-async';
import { useLeaveGuard } from '@/lib/use-leave-guard';
import '@/features/access-levels/access-levels.css';

type Draft = {
  name: string;
  description: string;
  recordScope: RecordScope;
  fieldRights: Record<string, FieldRight>;
  permissions: string[];
};
/** Where a problem is shown: next to one of these parts of the form, or (none) above the Save button. */
type Part = 'name' | 'description' | 'recordScope' | 'fieldRights' | 'permissions' | 'developer';

const LIST = '/settings/access-levels';

/** Create (/settings/access-levels/new) or edit (/settings/access-levels/:accessLevelId) a custom access level. */
export function AccessLevelEditorPage() {
  const { accessLevelId } = useParams();
  const me = useMe();
  const canManage = hasPermission(me, 'access-levels:manage');
  const data = useAsync((signal) => loadEditorData(accessLevelId, signal), [accessLevelId]);
  const creating = !accessLevelId;

  if (creating && !canManage) {
    return (
      <section className="page" aria-labelledby="page-title">
        <PageHeader title="New access level" />
        <EmptyState title="Not available" icon="🔒">
          <p>Creating access levels needs the “Create and change custom access levels” permission.</p>
        </EmptyState>
      </section>
    );
  }
  if (data.loading || data.error) {
    return (
      <section className="page" aria-labelledby="page-title">
        <PageHeader title={creating ? 'New access level' : 'Access level'} />
        {data.loading ? <Loading /> : <ErrorBox error={data.error} onRetry={data.reload} />}
      </section>
    );
  }
  const { catalog, level } = data.data!;
  return <Editor key={level?.id ?? 'new'} me={me} catalog={catalog} level={level} canManage={canManage} />;
}

function toDraft(level: AccessLevel | undefined): Draft {
  if (!level) return { name: '', description: '', recordScope: 'OWN', fieldRights: {}, permissions: [] };
  return {
    name: level.name,
    description: level.description ?? '',
    recordScope: level.recordScope,
    fieldRights: { ...(level.fieldRights as Record<string, FieldRight>) },
    permissions: [...level.permissions],
  };
}

function toWrite(draft: Draft, catalog: PermissionCatalog): AccessLevelWrite {
  const order = catalog.groups.flatMap((g) => g.permissions.map((p) => p.name));
  const rank = (p: string) => (order.includes(p) ? order.indexOf(p) : order.length);
  const fieldRights = Object.fromEntries(
    Object.entries(draft.fieldRights).filter(([, r]) => r !== 'NONE'),
  ) as FieldRights;
  return {
    name: draft.name.trim(),
    description: draft.description.trim(),
    recordScope: draft.recordScope,
    fieldRights,
    permissions: [...draft.permissions].sort((a, b) => rank(a) - rank(b)),
  };
}

/** What the level grants that the editor does not hold (the server would refuse to save it). */
function excessOf(draft: Draft, me: Me, catalog: PermissionCatalog): string[] {
  const out: string[] = [];
  const titles = new Map(catalog.groups.flatMap((g) => g.permissions.map((p) => [p.name, p.title] as const)));
  for (const p of draft.permissions) if (!me.permissions.includes(p)) out.push(`“${titles.get(p) ?? p}”`);
  if (draft.recordScope === 'ALL' && me.recordScope !== 'ALL') out.push('all records');
  for (const f of catalog.fields) {
    const r = rightOf(draft.fieldRights, f.name);
    if (exceeds(r, rightOf(me.fieldRights, f.name))) out.push(`${r.toLowerCase()} on ${f.title}`);
  }
  return out;
}

/** The editor's draft as lib/drafts keeps it (the field rights as JSON). */
const storedOf = (d: Draft): StoredDraft => ({ ...d, fieldRights: JSON.stringify(d.fieldRights) });
function fromStored(s: Partial<Record<string, unknown>>, base: Draft): Draft {
  let fieldRights = base.fieldRights;
  try {
    if (typeof s.fieldRights === 'string') fieldRights = JSON.parse(s.fieldRights) as Record<string, FieldRight>;
  } catch {
    // a damaged draft keeps the stored rights
  }
  return {
    name: typeof s.name === 'string' ? s.name : base.name,
    description: typeof s.description === 'string' ? s.description : base.description,
    recordScope: s.recordScope === 'ALL' || s.recordScope === 'OWN' ? s.recordScope : base.recordScope,
    fieldRights,
    permissions: Array.isArray(s.permissions) ? s.permissions.map(String) : base.permissions,
  };
}

/** The error summary's words for each part of the form. */
const PART_LABELS: Record<Part, string> = {
  name: 'Name',
  description: 'Description',
  recordScope: 'Records',
  fieldRights: 'Field rights',
  permissions: 'Operation permissions',
  developer: 'Developer permissions',
};

/** Where a problem from the server belongs: the part of the form, and for field rights the person field. */
type Placement = { part?: Part; personField?: string };

/**
 * Places a problem by its `field`, named as the server's request validator names a part of the body (dotted;
 * a leading-slash pointer is read the same): `name`, `recordScope`, `fieldRights.salary`, `permissions.2` (the
 * permission at that index of what was sent, `sent`). Anything else goes above the Save button.
 */
function placementOf(error: unknown, sent: readonly string[]): Placement {
  if (!(error instanceof ApiError) || !error.problem.field) return {};
  const [top, item] = error.problem.field.replace(/^\//, '').split(/[./]/);
  switch (top) {
    case 'name':
    case 'description':
    case 'recordScope':
      return { part: top };
    case 'fieldRights':
      return { part: 'fieldRights', personField: item };
    case 'permissions': {
      const permission = item !== undefined && /^\d+$/.test(item) ? sent[Number(item)] : undefined;
      return { part: permission?.startsWith(`${DEVELOPER_RESOURCE}:`) ? 'developer' : 'permissions' };
    }
    default:
      return {};
  }
}

function Editor({
  me,
  catalog,
  level,
  canManage,
}: {
  me: Me;
  catalog: PermissionCatalog;
  level: AccessLevel | undefined;
  canManage: boolean;
}) {
  const navigate = useNavigate();
  const initial = useMemo(() => toDraft(level), [level]);
  const builtin = Boolean(level && !level.editable);
  // The server lets only someone holding every right of a stored level change or delete it.
  const storedExcess = useMemo(
    () => (level && !builtin && canManage ? excessOf(toDraft(level), me, catalog) : []),
    [level, builtin, canManage, me, catalog],
  );
  const stronger = storedExcess.length > 0;
  const readOnly = builtin || !canManage || stronger;
  // Unsaved changes survive an expired session (lib/drafts), per level and per signed-in user.
  const draftId = `access-level.${level?.id ?? 'new'}.${me.user.id}`;
  const [restored] = useState(() => {
    const stored = readOnly ? undefined : loadDraft(draftId);
    const d = stored ? fromStored(stored, initial) : undefined;
    return d && JSON.stringify(toWrite(d, catalog)) !== JSON.stringify(toWrite(initial, catalog)) ? d : undefined;
  });
  const [draft, setDraft] = useState<Draft>(restored ?? initial);
  const [busy, setBusy] = useState(false);
  const [errors, setErrors] = useState<Partial<Record<Part, string>>>({});
  /** The person field a refused field right names, marked in the matrix. */
  const [refusedField, setRefusedField] = useState<string>();
  const [formError, setFormError] = useState<string>();
  const [confirmDelete, setConfirmDelete] = useState(false);
  const [deleteError, setDeleteError] = useState<string>();

  // After a failed save focus moves to the error summary, whose links lead to each part of the form.
  const { formRef, failed } = useSummaryFocus();

  const dirty = !readOnly && JSON.stringify(toWrite(draft, catalog)) !== JSON.stringify(toWrite(initial, catalog));
  const [saving, setSaving] = useState(false);
  useDraft(draftId, storedOf(draft), dirty && !saving);
  const { blocker, release } = useLeaveGuard(dirty);

  const chosen = new Set(draft.permissions);
  // The server leaves non-grantable groups (the operator's) out of the catalog; hide any that slip through all the same.
  const groups = catalog.groups.filter((g) => (g as { grantable?: boolean }).grantable !== false);
  const operationGroups = groups.filter((g) => g.resource !== DEVELOPER_RESOURCE);
  const developerGroup = groups.find((g) => g.resource === DEVELOPER_RESOURCE);
  const excess = readOnly ? [] : excessOf(draft, me, catalog);
  const scopeNotMine = me.recordScope !== 'ALL';

  const update = (patch: Partial<Draft>) => setDraft((d) => ({ ...d, ...patch }));
  const toggle = (names: string[], on: boolean) => {
    const next = new Set(chosen);
    for (const n of names) {
      if (on) next.add(n);
      else next.delete(n);
    }
    update({ permissions: [...next] });
  };

  const show = (error: unknown, sent: readonly string[]) => {
    const { part, personField } = placementOf(error, sent);
    const message = errorMessage(error);
    setErrors(part ? { [part]: message } : {});
    setRefusedField(personField);
    setFormError(part ? undefined : message);
    failed();
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setErrors({});
    setRefusedField(undefined);
    setFormError(undefined);
    if (!draft.name.trim()) {
      setErrors({ name: 'Enter a name.' });
      failed();
      return;
    }
    setBusy(true);
    const body = toWrite(draft, catalog);
    try {
      if (level) await updateAccessLevel(level.id, body);
      else await createAccessLevel(body);
      setSaving(true); // saved: the draft goes
      clearDraft(draftId);
      release();
      void navigate(LIST);
    } catch (error) {
      show(error, body.permissions);
      setBusy(false);
    }
  };

  const closeDelete = () => {
    setConfirmDelete(false);
    setDeleteError(undefined);
  };

  const remove = async () => {
    if (!level) return;
    setBusy(true);
    try {
      await deleteAccessLevel(level.id);
      setSaving(true);
      clearDraft(draftId);
      release();
      void navigate(LIST);
    } catch (error) {
      setDeleteError(errorMessage(error));
      setBusy(false);
    }
  };

  const title = level ? level.name : 'New access level';
  return (
    <section className="page access-level-editor" aria-labelledby="page-title">
      <p className="small">
        <Link to={LIST}>← Access levels</Link>
      </p>
      <PageHeader
        title={title}
        actions={
          level && !readOnly ? (
            <button
              type="button"
              className="button button--danger"
              onClick={() => setConfirmDelete(true)}
              disabled={busy}
            >
              Delete access level
            </button>
          ) : undefined
        }
      >
        {level
          ? `${level.userCount} ${level.userCount === 1 ? 'user holds' : 'users hold'} this level.`
          : 'A custom level for a group of users or an integration.'}
      </PageHeader>

      {builtin ? (
        <p className="alert alert--info" role="note">
          <strong>Built-in access level: read-only.</strong> Keysmith defines what Account Owner, Full Admin and
          Employee may do, so they cannot be changed or deleted. To grant a different set of rights,{' '}
          <Link to={`${LIST}/new`}>create a custom access level</Link>.
        </p>
      ) : stronger ? (
        <p className="alert alert--warning" role="note">
          <strong>Read-only: this level grants rights you don’t hold yourself</strong> ({storedExcess.join(', ')}). Only
          someone who holds them can change or delete it, so that nobody takes away rights they could not give.
        </p>
      ) : readOnly ? (
        <p className="alert alert--info" role="note">
          <strong>Read-only.</strong> Changing access levels needs the “Create and change custom access levels”
          permission.
        </p>
      ) : (
        <p className="alert alert--info" role="note">
          You can grant only what you hold yourself: rights beyond your own access level ({me.user.accessLevel.name})
          are shown disabled.
        </p>
      )}
      {excess.length > 0 && (
        <p className="alert alert--warning" role="note">
          This level grants rights you don’t hold yourself ({excess.join(', ')}). The server refuses to save it until
          you remove them.
        </p>
      )}

      <form
        ref={formRef}
        className="form"
        onSubmit={submit}
        aria-label={level ? `Edit ${level.name}` : 'New access level'}
        noValidate
      >
        {restored && dirty && (
          <p className="alert alert--info" role="status">
            Restored your unsaved changes: check them and save, or cancel.
          </p>
        )}
        <ErrorSummary
          formError={formError}
          fieldErrors={Object.fromEntries(Object.entries(errors).filter(([, m]) => m))}
          labels={PART_LABELS}
        />
        <div className="card">
          <h2>Details</h2>
          <Field label="Name" name="name" required error={errors.name}>
            {(p) => (
              <input
                {...p}
                value={draft.name}
                maxLength={100}
                readOnly={readOnly}
                onChange={(e) => update({ name: e.target.value })}
              />
            )}
          </Field>
          <Field label="Description" name="description" error={errors.description}>
            {(p) => (
              <textarea
                {...p}
                rows={2}
                maxLength={500}
                value={draft.description}
                readOnly={readOnly}
                onChange={(e) => update({ description: e.target.value })}
              />
            )}
          </Field>
          <fieldset
            className="field radio-group"
            data-field="recordScope"
            aria-describedby={errors.recordScope ? 'scope-error' : undefined}
          >
            <legend className="field__label">Records</legend>
            <label className="radio">
              <input
                type="radio"
                name="recordScope"
                value="OWN"
                checked={draft.recordScope === 'OWN'}
                disabled={readOnly}
                onChange={() => update({ recordScope: 'OWN' })}
              />
              <span>
                <strong>Own record only (OWN)</strong>
                <span className="radio__hint">Only the people record linked to the user.</span>
              </span>
            </label>
            <label className={scopeNotMine && !readOnly ? 'radio perm--disabled' : 'radio'}>
              <input
                type="radio"
                name="recordScope"
                value="ALL"
                checked={draft.recordScope === 'ALL'}
                disabled={readOnly || scopeNotMine}
                aria-describedby={scopeNotMine && !readOnly ? 'scope-note' : undefined}
                onChange={() => update({ recordScope: 'ALL' })}
              />
              <span>
                <strong>All records (ALL)</strong>
                <span className="radio__hint">Every people record of the organization.</span>
                {scopeNotMine && !readOnly && (
                  <span id="scope-note" className="perm__note">
                    {NOT_YOURS}
                  </span>
                )}
              </span>
            </label>
            {errors.recordScope && (
              <p id="scope-error" className="field__error" role="alert">
                {errors.recordScope}
              </p>
            )}
          </fieldset>
        </div>

        <div className="card" data-field="fieldRights">
          <h2 id="field-rights-title">Field rights</h2>
          <p className="muted small">What holders may see or change in each field of the people records they reach.</p>
          {errors.fieldRights && (
            <p id="field-rights-error" className="field__error" role="alert">
              {errors.fieldRights}
            </p>
          )}
          <FieldRightsMatrix
            fields={catalog.fields}
            value={draft.fieldRights}
            mine={me.fieldRights}
            refused={errors.fieldRights ? refusedField : undefined}
            refusedErrorId="field-rights-error"
            readOnly={readOnly}
            onChange={(fieldRights) => update({ fieldRights })}
          />
        </div>

        <div className="card" data-field="permissions">
          <h2>Operation permissions</h2>
          <p className="muted small">What holders may do through the API and this console.</p>
          {errors.permissions && (
            <p className="field__error" role="alert">
              {errors.permissions}
            </p>
          )}
          <div className="perm-groups">
            {operationGroups.map((g) => (
              <PermissionGroup
                key={g.resource}
                group={g}
                chosen={chosen}
                myPermissions={me.permissions}
                readOnly={readOnly}
                onToggle={toggle}
              />
            ))}
          </div>
        </div>

        {developerGroup && (
          <div className="card" data-field="developer">
            <h2>Developer permissions</h2>
            <p className="muted small">API keys: a key never does more than its owner, whatever these allow.</p>
            {errors.developer && (
              <p className="field__error" role="alert">
                {errors.developer}
              </p>
            )}
            <PermissionGroup
              group={developerGroup}
              legend="API keys"
              chosen={chosen}
              myPermissions={me.permissions}
              readOnly={readOnly}
              onToggle={toggle}
            />
          </div>
        )}

        <div className="actions">
          {readOnly ? (
            <Link className="button" to={LIST}>
              Back to access levels
            </Link>
          ) : (
            <>
              <Link className="button" to={LIST}>
                Cancel
              </Link>
              <button type="submit" className="button button--primary" disabled={busy}>
                {busy ? 'Saving…' : level ? 'Save changes' : 'Create access level'}
              </button>
            </>
          )}
        </div>
      </form>

      {confirmDelete && level && (
        <Modal title={`Delete “${level.name}”?`} onClose={closeDelete}>
          <p>
            {level.userCount > 0
              ? `${level.userCount} ${level.userCount === 1 ? 'user holds' : 'users hold'} this level: the server refuses to delete a level in use. Move them to another level first.`
              : 'Nobody holds this level. Deleting it cannot be undone.'}
          </p>
          <FormError message={deleteError} />
          <div className="actions">
            <button type="button" className="button" onClick={closeDelete}>
              Keep it
            </button>
            <button type="button" className="button button--danger" onClick={remove} disabled={busy}>
              Delete
            </button>
          </div>
        </Modal>
      )}
      <LeaveConfirm
        blocker={blocker}
        message="Your changes to this access level are not saved. Leave without saving?"
        // leaving on purpose discards them; an expired session unmounts the page without asking, keeping the draft
        onLeave={() => {
          setSaving(true);
          clearDraft(draftId);
        }}
      />
    </section>
  );
}
