/**
 * Configuration: connection strings (URL and key=value), PG* environment,
 * defaults, multi-host lists, validation with clear errors.
 */
export type * from './types.js'
export { parseConfig, DEFAULT_YB_SERVERS_REFRESH_INTERVAL, DEFAULT_FAILED_HOST_TTL_SECONDS, type ConfigFiles } from './parse.js'
export { redactConnectionString, parseConnectionString, isConnectionUrl } from './connection-string.js'
export { describeHost, dialTarget, DEFAULT_HOST, DEFAULT_PORT } from './hosts.js'
export {
  isKnownOption,
  OPTION_TABLE,
  DEFAULT_STATEMENT_CACHE_SIZE,
  DEFAULT_MAX_MESSAGE_BYTES,
  DEFAULT_MAX_SCRAM_ITERATIONS,
} from './options.js'
export { ENV_OPTIONS, OTHER_OPTIONS } from './option-table.js'
