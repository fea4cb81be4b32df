import assert from "node:assert/strict";
import { counterDelta, netCounters, parseSnmp } from "./net_snmp.ts";

const SAMPLE = `Ip: Forwarding DefaultTTL
Ip: 1 64
Tcp: RtoAlgorithm RtoMin ActiveOpens PassiveOpens AttemptFails
Tcp: 1 200 30 25 2
Udp: InDatagrams NoPorts OutDatagrams SndbufErrors
Udp: 100 0 120 3
`;

Deno.test("parseSnmp() pairs each header line with its values", () => {
  const table = parseSnmp(SAMPLE);
  assert.deepEqual(table.Ip, { Forwarding: 1, DefaultTTL: 64 });
  assert.equal(table.Tcp.ActiveOpens, 30);
  assert.equal(table.Udp.OutDatagrams, 120);
});

Deno.test("netCounters() picks the sent, dialed and failed counts; counterDelta() subtracts", () => {
  const before = netCounters(parseSnmp(SAMPLE));
  assert.deepEqual(before, {
    udpOut: 120,
    udpSndbufErrors: 3,
    tcpActiveOpens: 30,
    tcpAttemptFails: 2,
  });
  const after = { ...before, udpOut: 150, tcpActiveOpens: 31 };
  assert.deepEqual(counterDelta(before, after), {
    udpOut: 30,
    udpSndbufErrors: 0,
    tcpActiveOpens: 1,
    tcpAttemptFails: 0,
  });
});

Deno.test("netCounters() says which counter is missing", () => {
  assert.throws(() => netCounters(parseSnmp("Udp: InDatagrams\nUdp: 1\n")), /no Udp OutDatagrams/);
});
