import { DataSource, EntityManager } from 'typeorm';

declare const scopeBrand: unique symbol;

/**
 * An open transaction, opaque outside repositories: services pass it along without touching the
 * ORM; repositories turn it back into an entity manager with `managerOf`.
 */
export interface TxScope {
  readonly [scopeBrand]: true;
}

const managers = new WeakMap<TxScope, EntityManager>();

export class TransactionRunner {
  constructor(private readonly dataSource: DataSource) {}

  /** Runs `work` in one transaction: committed if it resolves, rolled back if it throws. */
  run<T>(work: (scope: TxScope) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(async (manager) => {
      const scope = Object.freeze({}) as TxScope;
      managers.set(scope, manager);
      try {
        return await work(scope);
      } finally {
        managers.delete(scope);
      }
    });
  }
}

/** The entity manager of a transaction, or the data source's own manager outside one. */
export function managerOf(dataSource: DataSource, scope?: TxScope): EntityManager {
  if (!scope) return dataSource.manager;
  const manager = managers.get(scope);
  if (!manager) throw new Error('transaction scope used after its transaction ended');
  return manager;
}
