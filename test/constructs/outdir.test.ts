// Issue 9, finding 1: `new SaaSApp({ outdir: '' }).synth()` replaced the current working directory,
// deleting everything in it. Synthesis replaces its output folder as a whole, so any folder that
// is or holds the working directory or the home folder is refused, and nothing is touched.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { readTree, tempDir } from './fixtures';
import { SaaSApp } from '../../src/constructs';
import { outdirProblem, SaaSplaneError } from '../../src/core';

describe('the output folder', () => {
  const cwd = process.cwd();
  let work: string;
  beforeEach(() => {
    work = tempDir();
    fs.mkdirSync(path.join(work, 'project', 'src'), { recursive: true });
    fs.writeFileSync(path.join(work, 'project', 'src', 'keep.txt'), 'precious');
    process.chdir(path.join(work, 'project'));
  });
  afterEach(() => process.chdir(cwd));

  test.each([[''], ['.'], ['./'], ['..'], [' '], ['src/..']])('fails when outdir %j is or holds the working directory, and deletes nothing', (outdir) => {
    const before = readTree(work);
    expect(() => new SaaSApp({ outdir }).synth()).toThrow(SaaSplaneError);
    expect(() => new SaaSApp({ outdir }).synth()).toThrow(/would replace the current working directory|is or holds the current working directory/);
    expect(readTree(work)).toEqual(before);
  });

  test.each([[os.homedir()], [path.parse(os.homedir()).root]])('fails when outdir %s is or holds the home folder', (outdir) => {
    expect(outdirProblem(outdir)).toMatch(/is or holds (the current working directory|your home folder)/);
    expect(() => new SaaSApp({ outdir }).synth()).toThrow(SaaSplaneError);
  });

  test('fails when outdir reaches the working directory through a symbolic link, and deletes nothing', () => {
    fs.symlinkSync(path.join(work, 'project'), path.join(work, 'link'));
    const before = readTree(path.join(work, 'project'));
    expect(() => new SaaSApp({ outdir: path.join(work, 'link') }).synth()).toThrow(/is or holds the current working directory/);
    expect(() => new SaaSApp({ outdir: path.join(work, 'link', 'src', '..') }).synth()).toThrow(/is or holds the current working directory/);
    expect(readTree(path.join(work, 'project'))).toEqual(before);
  });

  test('fails when outdir goes through a file or contains NUL', () => {
    expect(() => new SaaSApp({ outdir: 'src/keep.txt/dist' }).synth()).toThrow(/goes through the file .*keep.txt: choose a path of folders/);
    expect(() => new SaaSApp({ outdir: 'dist\0x' }).synth()).toThrow(/contains a NUL character/);
    expect(fs.readFileSync(path.join(work, 'project', 'src', 'keep.txt'), 'utf8')).toBe('precious');
  });

  test('writes into a folder of its own', () => {
    new SaaSApp({ outdir: 'dist' }).synth();
    expect(fs.existsSync(path.join(work, 'project', 'dist'))).toBe(true);
    expect(outdirProblem('dist')).toBeUndefined();
    expect(readTree(path.join(work, 'project', 'src')).get('keep.txt')).toBe('precious');
  });
});
