// @pss/spool: the durable on-disk store-and-forward spool between an edge gateway's triggers and its MQTT uplink.
export { Spool } from './spool';
export {
  DEFAULT_CLASSES,
  DEFAULT_MAX_BYTES,
  type DefaultSpoolClass,
  type FsyncPolicy,
  type PeekOptions,
  type RecoveryStats,
  type SpoolClassMetrics,
  type SpoolClassOptions,
  type SpoolMetrics,
  type SpoolOptions,
  type SpoolOptionsWithClasses,
  type SpoolRecord,
} from './types';
export { RecordTooLargeError, SpoolClosedError, SpoolError, SpoolFullError, SpoolLockedError, type SpoolErrorCode } from './errors';
export { MAX_ID_BYTES, recordBytes } from './format';
