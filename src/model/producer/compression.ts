/**
 * `compression.type`: how a producer's batches shrink on the wire, and how the accumulator
 * measures a batch against `batch.size` while it fills.
 *
 * Kafka compresses a whole batch as it is built (`MemoryRecordsBuilder`), so every byte past
 * the accumulator is a compressed byte: the produce request (against `max.request.size`), the
 * broker's byte rate and the client's `producer_byte_rate` quota, replication, the log
 * (`segment.bytes`, `retention.bytes`) and what consumers fetch. A record's own size checks
 * (against `max.request.size` and `buffer.memory`) and the memory a batch allocates stay
 * uncompressed (`AbstractRecords.estimateSizeInBytesUpperBound`).
 *
 * While a batch fills, its compressed size is not known yet: `MemoryRecordsBuilder`
 * estimates it as the uncompressed bytes x the topic's estimated ratio x 1.05
 * (`COMPRESSION_RATE_ESTIMATION_FACTOR`), and a record goes in while that estimate plus the new
 * record's uncompressed size (conservatively not compressed, `hasRoomFor`) is within
 * `batch.size`; the batch is full once the estimate reaches it (`isFull`). The sticky
 * partitioner counts the same estimate (`appendedBytes`). With no compression the estimate is
 * the bytes themselves.
 *
 * Exactness: Kafka's estimated ratio (`CompressionRatioEstimator`) starts at 1 and moves toward
 * the observed ratio after each batch (down by 0.005, up by at least 0.05); with a constant
 * ratio it settles on it after (1 - compressed/uncompressed) / 0.005 batches of a topic (150 for
 * 4:1). lagsim uses the settled value from the first batch: the first batches of a real run are
 * smaller than these.
 */

export type CompressionType = 'none' | 'gzip' | 'snappy' | 'lz4' | 'zstd';

/**
 * Uncompressed bytes per compressed byte when the scenario does not say (`compression-ratio`).
 * The ratio depends on the data far more than on the codec, so these are middling values for
 * JSON-like records in batches of 16 KiB or more, at the cautious end of published comparisons
 * (Conduktor's table for typical JSON: 65-75% smaller; duckkit's codec comparison: 0.5x to 0.3x
 * the size), each codec at its default level: snappy and lz4 trade ratio for speed, gzip and
 * zstd compress harder. Measure yours (`kafka-producer-perf-test` reports it, as does the
 * producer's `compression-rate-avg` metric) and state it.
 */
export const DEFAULT_COMPRESSION_RATIO: Readonly<Record<Exclude<CompressionType, 'none'>, number>> = {
  snappy: 2,
  lz4: 2.2,
  gzip: 3,
  zstd: 3.3,
};

/** `MemoryRecordsBuilder.COMPRESSION_RATE_ESTIMATION_FACTOR`. */
export const COMPRESSION_ESTIMATION_FACTOR = 1.05;

export interface Compression {
  /** Compressed bytes per uncompressed byte (1 without compression). */
  wire: number;
  /** Kafka's estimate of a filling batch's size per uncompressed byte (1 without compression). */
  fill: number;
}

/** A producer's compression, from its `compression.type` and its compression ratio (uncompressed : compressed). */
export function compressionOf(type: CompressionType, ratio: number): Compression {
  if (type === 'none') return { wire: 1, fill: 1 };
  const wire = 1 / ratio;
  return { wire, fill: wire * COMPRESSION_ESTIMATION_FACTOR };
}

/** A producer spec's compression: its codec, at its `compression-ratio` or the codec's default. */
export function producerCompression(spec: { config: { 'compression.type': CompressionType }; 'compression-ratio'?: number }): Compression {
  const type = spec.config['compression.type'];
  return compressionOf(type, type === 'none' ? 1 : (spec['compression-ratio'] ?? DEFAULT_COMPRESSION_RATIO[type]));
}
