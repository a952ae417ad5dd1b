/**
 * @module
 * Errors thrown by {@link Store} implementations.
 */

/** Base class of store errors. */
export class StoreError extends Error {
  override readonly name: string = "StoreError";
}

/** A create call found an object with the same namespace/name. */
export class AlreadyExistsError extends StoreError {
  override readonly name = "AlreadyExistsError";
  constructor(readonly kind: string, readonly namespace: string, readonly objectName: string) {
    super(`${kind} ${namespace}/${objectName} already exists`);
  }
}

/** An update or delete named an object that does not exist. */
export class ObjectNotFoundError extends StoreError {
  override readonly name = "ObjectNotFoundError";
  constructor(readonly kind: string, readonly namespace: string, readonly objectName: string) {
    super(`${kind} ${namespace}/${objectName} not found`);
  }
}

/** A compare-and-set update lost: the object changed since it was read. */
export class StoreConflictError extends StoreError {
  override readonly name = "StoreConflictError";
  constructor(readonly kind: string, readonly namespace: string, readonly objectName: string) {
    super(`${kind} ${namespace}/${objectName} was modified concurrently`);
  }
}

/** A lease update tried to take an exporter another active lease holds. */
export class ExporterBusyError extends StoreError {
  override readonly name = "ExporterBusyError";
  constructor(readonly namespace: string, readonly exporterName: string) {
    super(`exporter ${namespace}/${exporterName} is held by another lease`);
  }
}
