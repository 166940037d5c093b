import { type Static, Type } from 'typebox';
import { pageQuery } from '../../http/pagination.js';
import { EMAIL_PATTERN, Nullable, Timestamp } from '../../http/schemas.js';

export const COMMENT_STATUS_VALUES = ['pending', 'approved', 'spam', 'trash'] as const;
export const MAX_COMMENT_DEPTH = 5;
export const COMMENT_BODY_MAX_LENGTH = 5000;

const StatusSchema = Type.Enum([...COMMENT_STATUS_VALUES], {
  description: 'Only `approved` comments are public; new anonymous comments are `pending`',
});
const body = Type.String({
  minLength: 1,
  maxLength: COMMENT_BODY_MAX_LENGTH,
  pattern: '\\S',
  description: 'Plain text (no Markdown, no HTML): front ends must escape it',
});

export const CommentSchema = Type.Object(
  {
    id: Type.Integer({ examples: [7] }),
    articleId: Type.Integer(),
    parentId: Nullable(Type.Integer({ description: 'The comment this replies to' })),
    depth: Type.Integer({ minimum: 0, maximum: MAX_COMMENT_DEPTH, description: '0 for a top-level comment' }),
    authorName: Type.String({ examples: ['Olena'] }),
    authorEmail: Type.Optional(
      Type.String({
        description: 'Only for keys with `comments:moderate`; never public',
        examples: ['olena@example.org'],
      }),
    ),
    body: Type.String({ examples: ['Binding guarantees are the whole question.'] }),
    status: StatusSchema,
    deleted: Type.Boolean({
      description: 'A deleted comment that has replies stays, emptied, so the thread still reads',
    }),
    createdAt: Timestamp('When the comment was submitted'),
    updatedAt: Timestamp('When the comment last changed'),
  },
  {
    $id: 'Comment',
    title: 'Comment',
    additionalProperties: false,
    examples: [
      {
        id: 7,
        articleId: 1,
        parentId: null,
        depth: 0,
        authorName: 'Olena',
        body: 'Binding guarantees are the whole question.',
        status: 'approved',
        deleted: false,
        createdAt: '2026-11-26T09:00:00.000Z',
        updatedAt: '2026-11-26T09:05:00.000Z',
      },
    ],
  },
);
export type Comment = Static<typeof CommentSchema>;

export const CommentCreateSchema = Type.Object(
  {
    authorName: Type.String({ minLength: 1, maxLength: 100, pattern: '\\S' }),
    authorEmail: Type.String({
      format: 'email',
      // The server's email check wants a dot in the domain; the pattern says so in the document.
      pattern: EMAIL_PATTERN,
      maxLength: 254,
      description: 'Never shown publicly; name@example.org (the domain needs a dot)',
    }),
    body,
    parentId: Type.Optional(
      Type.Integer({ minimum: 1, description: 'Reply to this comment (same article)' }),
    ),
    status: Type.Optional(StatusSchema),
    website: Type.Optional(
      Type.String({
        maxLength: 200,
        description:
          'Honeypot: leave empty. Forms hide this field from people; bots that fill it are filed as spam.',
      }),
    ),
  },
  {
    $id: 'CommentCreate',
    title: 'CommentCreate',
    additionalProperties: false,
    description: '`status` may be set only with `comments:moderate` (to approve at once)',
    examples: [
      {
        authorName: 'Olena',
        authorEmail: 'olena@example.org',
        body: 'Binding guarantees are the whole question.',
      },
    ],
  },
);
export type CommentCreate = Static<typeof CommentCreateSchema>;

export const CommentPatchSchema = Type.Object(
  { status: Type.Optional(StatusSchema), body: Type.Optional(body) },
  {
    $id: 'CommentPatch',
    title: 'CommentPatch',
    additionalProperties: false,
    examples: [{ status: 'approved' }],
  },
);
export type CommentPatch = Static<typeof CommentPatchSchema>;

export const ThreadQuery = Type.Object({ ...pageQuery }, { additionalProperties: false });

export const QueueQuery = Type.Object(
  {
    ...pageQuery,
    status: Type.Optional(StatusSchema),
    article: Type.Optional(
      Type.String({
        pattern: '^[a-z0-9-]+$',
        maxLength: 120,
        description: 'Only comments on this article (id or slug)',
      }),
    ),
  },
  { additionalProperties: false },
);

/** Registered with app.addSchema(): components of the OpenAPI document. */
export const commentComponents = [CommentSchema, CommentCreateSchema, CommentPatchSchema];
