import assert from "node:assert/strict";
import { FakeClock } from "../time/clock.ts";
import { EventHub, type LiveEvent } from "./hub.ts";
import { CoalescedPublisher } from "./coalesced_publisher.ts";

Deno.test("a burst of changes makes one event with the state at its end", () => {
  const clock = new FakeClock();
  const hub = new EventHub();
  const seen: LiveEvent[] = [];
  hub.subscribe((event) => seen.push(event));
  let state = 0;
  let built = 0;
  const publisher = new CoalescedPublisher(hub, "peers", () => (built++, state), clock, 25);
  for (let i = 1; i <= 100; i++) {
    state = i;
    publisher.changed();
  }
  assert.deepEqual(seen, []);
  clock.advance(25);
  assert.deepEqual(seen, [{ type: "peers", data: 100 }]);
  assert.equal(built, 1);
  state = 101;
  publisher.changed();
  clock.advance(25);
  assert.deepEqual(seen.at(-1), { type: "peers", data: 101 });
});

Deno.test("without a listener the state is never built; close drops a pending event", () => {
  const clock = new FakeClock();
  const hub = new EventHub();
  let built = 0;
  const publisher = new CoalescedPublisher(hub, "node", () => ++built, clock, 25);
  publisher.changed();
  clock.advance(25);
  assert.equal(built, 0);
  const seen: LiveEvent[] = [];
  hub.subscribe((event) => seen.push(event));
  publisher.changed();
  publisher.close();
  clock.advance(25);
  assert.deepEqual(seen, []);
  publisher.changed();
  clock.advance(25);
  assert.deepEqual(seen, []);
});
