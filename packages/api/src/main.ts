import type { Post } from '../../backend/src/entities/post.entity';
import type { User } from '../../backend/src/entities/user.entity';

/** What the API returns for a post: the author's public name, never their e-mail address. */
export interface PostView {
  id: number;
  title: string;
  author: string;
  publishedAt: string | null;
}

export function viewOf(post: Post & { author: User }): PostView {
  return {
    id: post.id,
    title: post.title,
    author: post.author.displayName,
    publishedAt: post.publishedAt ? post.publishedAt.toISOString() : null,
  };
}
