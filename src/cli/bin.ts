#!/usr/bin/env node
// The `saasplane` executable (package.json "bin"); all of it is in ./main.
import { run } from './main';

run();
