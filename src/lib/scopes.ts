/** What an API key may do; `admin` implies every other scope (http/auth.ts). */
export const API_SCOPES = [
  'content:public',
  'content:read',
  'content:write',
  'comments:moderate',
  'webhooks:manage',
  'admin',
] as const;

export type Scope = (typeof API_SCOPES)[number];
