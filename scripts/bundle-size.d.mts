// Types of scripts/bundle-size.mjs, for the size budget test.
import type { Metafile } from 'esbuild'

export declare const ROOT: string
export declare const BUDGET: { readonly workerd: number; readonly connectOnly: number }
export declare const CONNECT_ONLY: string
export declare const SRC_WORKERD: string
export declare const SRC_CONNECT_ONLY: string
export interface MeasureOptions {
  entry?: string
  source?: string
  platform?: 'neutral' | 'node' | 'browser'
  external?: string[]
  workerd?: boolean
  metafile?: boolean
}
export declare function measure(options: MeasureOptions): Promise<{ minified: number; gzipped: number; text: string; metafile: Metafile | undefined }>
export declare function perModule(metafile: Metafile): { path: string; bytes: number }[]
