/**
 * The Kafka producer, split along the Java client's lines: what the rest of the model uses.
 */
export { buildProducers, producerMarks, producerOutcome, type ProducerOutcome, type ProducerSetup } from './build.js';
export { Producer, type ProducerMetrics, type RejectReason } from './kafka-producer.js';
