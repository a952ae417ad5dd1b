/**
 * @module
 * `@jumpstarter/controller`: the Jumpstarter controller and router. This entry lists the store, lease
 * scheduling, identity and token APIs.
 */

// Store
export type {
  Store,
  StoreEvent,
  StoreListener,
  ClientRecord,
  ExporterRecord,
  LeaseRecord,
  LeaseSpec,
  LeaseStatus,
  DeviceRecord,
  Condition,
  Credential,
  ObjectMeta,
  NewObject,
  ListOptions,
  LeaseListOptions,
  Page,
  ExporterStatusName,
} from "./store/store.js";
export { StoreError, AlreadyExistsError, ObjectNotFoundError, StoreConflictError, ExporterBusyError } from "./store/errors.js";

// Selectors and labels
export {
  parseSelector,
  parseRequirements,
  toLabelSelector,
  formatSelector,
  matchesSelector,
  isEmptySelector,
  emptySelector,
  SelectorError,
} from "./leases/selector.js";
export type { LabelSelector, LabelSelectorRequirement, LabelSelectorOperator, Requirement, SelectorOperator } from "./leases/selector.js";
export { labelKeyError, labelValueError } from "./leases/labels.js";
