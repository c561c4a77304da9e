#!/usr/bin/env node
/*
 * Dependency direction check, part of `npm run lint`: dependency-cruiser's rules in
 * .dependency-cruiser.cjs, plus import cycles between libraries and apps. dependency-cruiser sees
 * cycles between files; two libraries can depend on each other through different files without one,
 * so the module graph is folded to one node per library or app and cycles are looked for there.
 * Exit 1 with one line per problem.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cruise } from 'dependency-cruiser';

const require = createRequire(import.meta.url);
const config = require('../.dependency-cruiser.cjs');
const roots = (process.argv.length > 2 ? process.argv.slice(2) : ['libs', 'apps']).filter((root) =>
  existsSync(root),
);

const { output } = await cruise(roots, { ...config.options, validate: true, ruleSet: config });
const problems = output.summary.violations.map(
  (v) => `${v.rule.name}: ${v.from} -> ${v.to}${v.rule.comment ? ` (${v.rule.comment})` : ''}`,
);

const unitOf = (file) => /^(libs|apps)\/[^/]+/.exec(file)?.[0];
const graph = new Map();
for (const module of output.modules) {
  const from = unitOf(module.source);
  if (from === undefined) continue;
  if (!graph.has(from)) graph.set(from, new Set());
  for (const dependency of module.dependencies) {
    const to = unitOf(dependency.resolved);
    if (to !== undefined && to !== from) graph.get(from).add(to);
  }
}
for (const cycle of stronglyConnected(graph).filter((component) => component.length > 1)) {
  problems.push(`library cycle: ${describeCycle(graph, cycle)}`);
}

if (problems.length > 0) {
  for (const problem of problems) console.error(problem);
  process.exit(1);
}
console.log(`dependencies: ${graph.size} libraries and apps, no cycle, no forbidden import`);

/** Tarjan's algorithm: the strongly connected components of a small graph. */
function stronglyConnected(edges) {
  let counter = 0;
  const index = new Map();
  const low = new Map();
  const stack = [];
  const onStack = new Set();
  const components = [];
  const visit = (node) => {
    index.set(node, counter);
    low.set(node, counter++);
    stack.push(node);
    onStack.add(node);
    for (const next of edges.get(node) ?? []) {
      if (!index.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node), low.get(next)));
      } else if (onStack.has(next)) {
        low.set(node, Math.min(low.get(node), index.get(next)));
      }
    }
    if (low.get(node) === index.get(node)) {
      const component = [];
      let member;
      do {
        member = stack.pop();
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      components.push(component.sort());
    }
  };
  for (const node of edges.keys()) if (!index.has(node)) visit(node);
  return components;
}

/** The shortest loop through a component's first member, e.g. `libs/a -> libs/b -> libs/a`. */
function describeCycle(edges, component) {
  const start = component[0];
  const members = new Set(component);
  const previous = new Map();
  const queue = [start];
  while (queue.length > 0) {
    const node = queue.shift();
    for (const next of edges.get(node) ?? []) {
      if (next === start) {
        const path = [start];
        for (let at = node; at !== start; at = previous.get(at)) path.splice(1, 0, at);
        return [...path, start].join(' -> ');
      }
      if (members.has(next) && !previous.has(next)) {
        previous.set(next, node);
        queue.push(next);
      }
    }
  }
  return component.join(', ');
}
