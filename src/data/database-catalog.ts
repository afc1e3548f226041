import { Construct } from 'constructs';
import { IDatabase } from '../core/database';
import { MlopsValidationError } from '../core/errors';

/** The databases of one server, by name, with the checks that keep names and users unique. */
export class DatabaseCatalog {
  private readonly databases = new Map<string, IDatabase>();
  private readonly owners = new Map<string, string>();

  constructor(private readonly server: Construct) {}

  /** Adds the database `create` makes, named `name` and owned by `user`; throws when either is taken. */
  public add(name: string, user: string, create: () => IDatabase): IDatabase {
    if (this.databases.has(name)) {
      throw new MlopsValidationError(this.server, `database name '${name}' is invalid: it was added already; use the IDatabase the first addDatabase('${name}') returned, or database('${name}')`);
    }
    const owner = this.owners.get(user);
    if (owner !== undefined) {
      throw new MlopsValidationError(this.server, `user '${user}' is invalid: it already owns database '${owner}', and each setup Job sets its user's password; give each database its own user`);
    }
    const database = create();
    this.databases.set(name, database);
    this.owners.set(user, name);
    return database;
  }

  /** The database added as `name`; throws, listing the names there are, when there is none. */
  public get(name: string): IDatabase {
    const database = this.databases.get(name);
    if (!database) {
      const names = [...this.databases.keys()];
      const existing = names.length > 0 ? `the databases are ${names.map((n) => `'${n}'`).join(', ')}` : 'no database was added';
      throw new MlopsValidationError(this.server, `database '${name}' is invalid: there is no such database (${existing}); add it with addDatabase('${name}') first`);
    }
    return database;
  }
}
