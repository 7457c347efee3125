/**
 * The Kafka producer, split along the Java client's lines: KafkaProducer (the facade the
 * application sends through) over RecordAccumulator, BufferPool and Sender, with the closed
 * batches in Batches (queued per broker in ReadyQueues) and the requests in flight in
 * InFlightRequests. A source producer's application is its arrival process (Arrivals).
 * build.ts makes a scenario's producers.
 *
 * Imports run one way: metrics, batches, in-flight, ready-queues, waiters <- buffer-pool <- sender <-
 * accumulator <- kafka-producer <- arrivals <- build.
 */
export { buildProducers, producerMarks, producerOutcome, type ProducerOutcome, type ProducerSetup } from './build.js';
export { KafkaProducer } from './kafka-producer.js';
export type { ProducerMetrics, RejectReason } from './metrics.js';
