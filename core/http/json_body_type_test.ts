import assert from "node:assert/strict";
import { type BodyTypeFacts, bodyTypeRefusal } from "./json_body_type.ts";

type Row = [label: string, facts: Partial<BodyTypeFacts>, accepted: boolean];

const TABLE: Row[] = [
  ["JSON from anyone", { contentType: "application/json; charset=utf-8", browser: true }, true],
  ["a +json type", { contentType: "application/merge-patch+json", browser: true }, true],
  ["curl -d (form type, no browser)", { contentType: "application/x-www-form-urlencoded" }, true],
  [
    "text/plain from a program (a form-able type: refused from everyone)",
    { contentType: "text/plain;charset=UTF-8" },
    false,
  ],
  ["no type from a program", {}, true],
  ["multipart from a program", { contentType: "multipart/form-data; boundary=x" }, false],
  ["octet-stream from a program", { contentType: "application/octet-stream" }, false],
  ["text/plain from a browser", { contentType: "text/plain", browser: true }, false],
  [
    "form post from a browser",
    { contentType: "application/x-www-form-urlencoded", browser: true },
    false,
  ],
  [
    "multipart from a browser",
    { contentType: "multipart/form-data; boundary=x", browser: true },
    false,
  ],
  ["untyped body from a browser (ArrayBuffer)", { browser: true }, false],
  ["no body and no type from a browser (button actions)", { browser: true, hasBody: false }, true],
  ["form type on an empty browser body", {
    contentType: "application/x-www-form-urlencoded",
    browser: true,
    hasBody: false,
  }, false],
  ["DELETE is not read", { method: "DELETE", contentType: "text/plain", browser: true }, true],
  ["GET is not read", { method: "GET", contentType: "text/plain", browser: true }, true],
];

for (const [label, partial, accepted] of TABLE) {
  Deno.test(`bodyTypeRefusal(): ${label} → ${accepted ? "accepted" : "415"}`, () => {
    const facts: BodyTypeFacts = { method: "POST", hasBody: true, browser: false, ...partial };
    const refusal = bodyTypeRefusal(facts);
    assert.equal(refusal === null, accepted, refusal ?? "accepted");
  });
}

Deno.test("bodyTypeRefusal() names the type it got", () => {
  assert.match(
    bodyTypeRefusal({ method: "PATCH", contentType: "Text/Plain", hasBody: true, browser: true }) ??
      "",
    /application\/json \(got Content-Type text\/plain\)/,
  );
  assert.match(
    bodyTypeRefusal({ method: "POST", hasBody: true, browser: true }) ?? "",
    /got no Content-Type/,
  );
});
