import { DataSource } from 'typeorm';
import { Post } from './entities/post.entity';
import { User } from './entities/user.entity';

/**
 * The backend's database. `DATABASE_URL` (from the shell or `.env.<configuration>`) chooses the server; without
 * it, `nx run backend:migrate` uses the project's embedded PostgreSQL in `.nx-typeorm-migrations/backend/`.
 */
export default new DataSource({
  type: 'postgres',
  url: process.env['DATABASE_URL'],
  entities: [User, Post],
});
