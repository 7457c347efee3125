/**
 * A single-server FIFO queue as a scenario: a one-partition topic, one consumer, Poisson
 * arrivals, no network, broker or batching delay, so a record's end-to-end latency is its sojourn
 * time in the queue (test/model/queueing.test.ts checks that against queueing theory).
 */
export function queue(service: string, extra = '', duration = '1500s', lambda = 900, fidelity = 'exact', interval = '100ms'): string {
  return `
name: queue
seed: 11
duration: ${duration}
sample-interval: ${interval}
fidelity: ${fidelity}
network: { rtt: 0ms }
brokers: { append-latency: 0ms, replication-latency: 0ms }
topics: [{ name: t, partitions: 1 }]
producers:
  - { name: p, topic: t, rate: ${lambda}/s, arrivals: poisson, config: { linger.ms: 0 } }
consumer-groups:
  - name: g
    topic: t
    instances: 1
    config: { fetch.max.wait.ms: 500${extra} }
    processing: { per-record: ${service} }
`;
}
