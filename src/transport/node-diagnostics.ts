/**
 * Node's diagnostics_channel for pgfleet's events (src/observe): each event
 * type is published on `pgfleet:<type>` (`pgfleet:query:start`, ...), the
 * convention undici and the OpenTelemetry instrumentations follow. A channel
 * without subscribers costs one `hasSubscribers` read per event.
 */
import { channel } from 'node:diagnostics_channel'
import type { ChannelFactory } from '../observe/events.js'

export const nodeChannel: ChannelFactory = (name) => channel(name)
