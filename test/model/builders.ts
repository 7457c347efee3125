/**
 * Builders for model tests. producerFrom makes a scenario's first producer with the function the
 * model uses (buildProducers), on a kernel of its own, writing to one PartitionLog per partition,
 * so a test states what it varies as a scenario snippet instead of assembling the producer's
 * options by hand.
 */
import { Simulation } from '../../src/kernel/simulation.js';
import { PartitionLog } from '../../src/model/log.js';
import { Brokers } from '../../src/model/brokers.js';
import { buildProducers, type KafkaProducer } from '../../src/model/producer/index.js';
import { SampleWindows, WindowedCounter } from '../../src/metrics/windows.js';
import { Scenario, type ScenarioInput } from '../../src/scenario/schema.js';

/** What a snippet may leave out: a 10 s run of one topic `t` of one partition, read by one consumer. */
const DEFAULTS = {
  name: 'test',
  duration: '10s',
  topics: [{ name: 't', partitions: 1 }],
  'consumer-groups': [{ name: 'g', topic: 't', instances: 1 }],
} satisfies Partial<ScenarioInput>;

export interface ProducerRig {
  producer: KafkaProducer;
  logs: PartitionLog[];
  /** Starts the producer and runs the kernel to the scenario's end. */
  run(): void;
}

/**
 * The first producer of the scenario `snippet` (over DEFAULTS), in exact fidelity unless
 * `batched`; `blockedLimit` replaces the run's limit on what blocked callers hold.
 */
export function producerFrom(snippet: Partial<ScenarioInput> & Pick<ScenarioInput, 'producers'>, batched = false, blockedLimit?: number): ProducerRig {
  const scenario = Scenario.parse({ ...DEFAULTS, ...snippet });
  const sim = new Simulation();
  const end = scenario.duration;
  const interval = scenario['sample-interval'];
  const topic = scenario.topics[0];
  const sampling = new SampleWindows(end, interval);
  const counter = () => new WindowedCounter(sampling);
  const logs = Array.from({ length: topic.partitions }, (_, p) => new PartitionLog(p, !batched));
  const { producers } = buildProducers({
    scenario,
    sim,
    topic: () => ({
      logs,
      brokers: new Brokers(scenario.brokers, topic.partitions, topic['replication-factor'], scenario.faults, end),
      metrics: { produced: counter(), appended: counter(), rejected: counter(), blocked: counter(), buffer: counter() },
      onAppend: () => {},
      minInsyncReplicas: topic.config['min.insync.replicas'],
    }),
    batched,
    blockedLimit,
  });
  const producer = producers[0];
  return {
    producer,
    logs,
    run() {
      producer.start();
      sim.run(end);
    },
  };
}
