export const NOT_YOURS = 'You don’t have this right yourself';

/** The resource whose permissions are the developer permissions (own keys, all keys). */
export const DEVELOPER_RESOURCE = 'keys';
