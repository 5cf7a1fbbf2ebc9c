#!/usr/bin/env node
import { main } from "./main.js";

// No top-level await anywhere in the package: CommonJS apps load it through require(esm).
void main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
