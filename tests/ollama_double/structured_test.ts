import assert from "node:assert/strict";
import { expectedAnswer } from "./answer.ts";
import { expectedStructuredAnswer, valueForSchema } from "./structured.ts";

const PERSON = {
  type: "object",
  properties: {
    name: { type: "string" },
    age: { type: "integer", minimum: 18, maximum: 20 },
    score: { type: "number", exclusiveMaximum: 1 },
    member: { type: "boolean" },
    tags: { type: "array", items: { type: "string", maxLength: 3 }, minItems: 3 },
    role: { enum: ["admin", "user"] },
    kind: { const: "person" },
    nickname: { type: ["string", "null"] },
    address: { $ref: "#/$defs/Address" },
    email: { type: "string", format: "email" },
  },
  required: ["name", "age"],
  $defs: { Address: { type: "object", properties: { city: { type: "string", minLength: 12 } } } },
};

Deno.test("valueForSchema() matches types, bounds, enums, consts and refs", () => {
  const v = valueForSchema(PERSON, "seed") as Record<string, unknown>;
  assert.deepEqual(Object.keys(v), Object.keys(PERSON.properties));
  assert.equal(typeof v.name, "string");
  assert.ok(Number.isInteger(v.age) && (v.age as number) >= 18 && (v.age as number) <= 20);
  assert.ok(typeof v.score === "number" && v.score < 1);
  assert.equal(typeof v.member, "boolean");
  assert.equal((v.tags as string[]).length, 3);
  assert.ok((v.tags as string[]).every((t) => typeof t === "string" && t.length <= 3));
  assert.ok(["admin", "user"].includes(v.role as string));
  assert.equal(v.kind, "person");
  assert.equal(typeof v.nickname, "string");
  assert.ok((v.address as { city: string }).city.length >= 12);
  assert.match(v.email as string, /^\w+@example\.com$/);
  assert.deepEqual(valueForSchema(PERSON, "seed"), v, "deterministic");
});

Deno.test("valueForSchema() handles anyOf, allOf, definitions, prefixItems and recursion", () => {
  assert.equal(
    typeof valueForSchema({ anyOf: [{ type: "null" }, { type: "integer" }] }, "s"),
    "number",
  );
  assert.deepEqual(
    Object.keys(valueForSchema({
      allOf: [{ properties: { a: { type: "string" } } }, { $ref: "#/definitions/B" }],
      definitions: { B: { properties: { b: { type: "integer" } } } },
    }, "s") as object),
    ["a", "b"],
  );
  const pair = valueForSchema({
    type: "array",
    prefixItems: [{ type: "string" }, { type: "boolean" }],
  }, "s");
  assert.deepEqual((pair as unknown[]).map((x) => typeof x), ["string", "boolean"]);
  const tree = { type: "object", properties: { child: { $ref: "#" } } };
  assert.doesNotThrow(() => JSON.stringify(valueForSchema(tree, "s")), "recursion is bounded");
});

Deno.test("expectedStructuredAnswer() is indented JSON: format json wraps the plain answer", () => {
  const messages = [{ role: "user", content: "hi" }];
  const json = expectedStructuredAnswer("m:latest", messages, "json", 4);
  assert.deepEqual(JSON.parse(json), { answer: expectedAnswer("m:latest", messages, 4) });
  assert.ok(json.includes("\n"), "streams in several tokens");
  const schema = expectedStructuredAnswer("m:latest", messages, PERSON);
  assert.deepEqual(Object.keys(JSON.parse(schema)), Object.keys(PERSON.properties));
  assert.notEqual(schema, expectedStructuredAnswer("m:latest", "other", PERSON));
});
