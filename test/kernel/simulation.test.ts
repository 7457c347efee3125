import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { KernelError, Simulation } from '../../src/kernel/simulation.js';

describe('Simulation', () => {
  it('runs events in (time, priority, insertion) order', () => {
    const sim = new Simulation();
    const seen: string[] = [];
    sim.at(5, () => seen.push('t5 p1 first'), 0, 1);
    sim.at(5, () => seen.push('t5 p0'), 0, 0);
    sim.at(5, () => seen.push('t5 p1 second'), 0, 1);
    sim.at(2, () => seen.push('t2'));
    sim.run(10);
    expect(seen).toEqual(['t2', 't5 p0', 't5 p1 first', 't5 p1 second']);
    expect(sim.now).toBe(10);
  });

  it('passes the scheduled argument and sets the clock before each callback', () => {
    const sim = new Simulation();
    const got: [number, number][] = [];
    const cb = (a: number) => got.push([sim.now, a]);
    sim.schedule(3, cb, 7);
    sim.schedule(1, cb, 9);
    sim.run(100);
    expect(got).toEqual([[1, 9], [3, 7]]);
  });

  it('runs only events strictly before `until`, leaving later ones pending', () => {
    const sim = new Simulation();
    let ran = 0;
    sim.at(10, () => ran++);
    sim.run(10);
    expect(ran).toBe(0);
    sim.run(11);
    expect(ran).toBe(1);
  });

  it('cancels a pending event, and cancelling twice or after it ran does nothing', () => {
    const sim = new Simulation();
    const seen: number[] = [];
    const h = sim.at(3, () => seen.push(3));
    const h2 = sim.at(4, () => seen.push(4));
    sim.cancel(h);
    sim.cancel(h);
    sim.run(5);
    sim.cancel(h2);
    // A new event reusing the cancelled slot must not be affected by the old handle.
    sim.at(6, () => seen.push(6));
    sim.cancel(h);
    sim.run(10);
    expect(seen).toEqual([4, 6]);
    expect(sim.executed).toBe(2);
  });

  it('refuses negative, fractional and past times loudly', () => {
    const sim = new Simulation();
    expect(() => sim.schedule(-1, () => {})).toThrow(KernelError);
    expect(() => sim.schedule(0.5, () => {})).toThrow(/integer/);
    sim.run(10);
    expect(() => sim.at(9, () => {})).toThrow(/>= now/);
  });

  it('wraps an exception with the simulated time and the callback name', () => {
    const sim = new Simulation();
    function fetchResponse() {
      throw new Error('boom');
    }
    sim.at(42, fetchResponse);
    expect(() => sim.run(100)).toThrow(/at t=42 in fetchResponse: boom/);
  });

  it('property: time never goes back and equal times keep insertion order, for any schedule', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(50), fc.integer({ min: -2, max: 2 }), fc.boolean()), { maxLength: 300 }), (ops) => {
        const sim = new Simulation();
        const fired: { t: number; prio: number; seq: number }[] = [];
        const handles: number[] = [];
        ops.forEach(([t, prio], seq) => {
          handles.push(sim.at(t, () => fired.push({ t: sim.now, prio, seq }), 0, prio));
        });
        const cancelled = new Set<number>();
        ops.forEach(([, , cancel], i) => {
          if (cancel) {
            sim.cancel(handles[i]);
            cancelled.add(i);
          }
        });
        sim.run(1000);
        expect(fired.length).toBe(ops.length - cancelled.size);
        for (let i = 1; i < fired.length; i++) {
          const a = fired[i - 1];
          const b = fired[i];
          expect(a.t < b.t || (a.t === b.t && (a.prio < b.prio || (a.prio === b.prio && a.seq < b.seq)))).toBe(true);
        }
      }),
    );
  });

  it('events scheduled from callbacks interleave correctly (a self-rescheduling clock)', () => {
    const sim = new Simulation();
    const ticks: number[] = [];
    const tick = () => {
      ticks.push(sim.now);
      sim.schedule(7, tick);
    };
    sim.at(0, tick);
    sim.run(30);
    expect(ticks).toEqual([0, 7, 14, 21, 28]);
  });
});

describe('named callbacks', () => {
  it('errors say the component and event that failed, and when', async () => {
    const { named } = await import('../../src/kernel/simulation.js');
    const sim = new Simulation();
    sim.at(7, named('order-processor-3', 'fetchResponse', () => {
      throw new Error('offset went back');
    }));
    expect(() => sim.run(10)).toThrow('at t=7 in order-processor-3: fetchResponse: offset went back');
  });
});

describe('an agenda that grows while it runs', () => {
  it('runs every event in order when callbacks schedule past the arrays\' capacity', () => {
    // Regression: run() once kept references to the heap and time arrays from before a
    // callback grew them, and then read stale slots.
    const sim = new Simulation();
    const seen: number[] = [];
    sim.at(1, () => {
      for (let i = 0; i < 1000; i++) sim.at(2 + i, (k) => seen.push(k), i);
    });
    sim.run(5000);
    expect(seen).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    expect(sim.executed).toBe(1001);
  });
});
