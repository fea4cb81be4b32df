import assert from "node:assert/strict";
import { placeUpload } from "./upload_paths.ts";

Deno.test("placeUpload() keeps the layout's folders wherever the chosen folder starts", () => {
  assert.equal(placeUpload("export/conversations/local.json"), "conversations/local.json");
  assert.equal(
    placeUpload("my backup/received/192.168.1.41/local.json"),
    "received/192.168.1.41/local.json",
  );
  assert.equal(placeUpload("received\\10.0.0.5\\abc.json"), "received/10.0.0.5/abc.json");
  assert.equal(placeUpload("export/neuromesh.json"), "neuromesh.json");
});

Deno.test("placeUpload() files a single chosen file as a conversation of this node", () => {
  assert.equal(placeUpload("local.json"), "conversations/local.json");
  assert.equal(placeUpload("Chat about tides.JSON"), "conversations/Chat about tides.JSON");
});

Deno.test("placeUpload() leaves out what is not a conversation file or escapes the folder", () => {
  for (
    const path of [
      "../../etc/passwd.json",
      "conversations/../../x.json",
      "export/markdown/chat.md",
      "export/notes/other.json",
      "received/only-a-folder.json",
      "conversations/a/b.json",
      ".DS_Store",
      "conversations/bad\u0000name.json",
      "",
    ]
  ) assert.equal(placeUpload(path), null, path);
});
