// vocabulary.js: the server's words for an order's values. GET
// /api/v1/workflow serves the workflow's actions and states and the
// values of every enumeration a page shows or offers (channels, types,
// survey outcomes, ratings, resolved, roles), each with its label in the
// page's language, from the one place the C code keeps them. main.js
// loads it once before a page renders (api.js caches it until the
// language changes or the user logs out); the pages then read it here
// without waiting. Nothing here knows a value of its own.

import { cached } from './api.js';

let table = null;

// Reads the table (from api.js's cache after the first time) and keeps it
// for the synchronous readers below; null when the server lacks the route.
export async function loadVocabulary() {
  table = await cached('/workflow');
  return table;
}

// The workflow table as served: {actions, states, channels, types, ...}.
export function workflowTable() {
  return table;
}

// [{name, label}] of one kind ('channels', 'types', 'outcomes', 'ratings',
// 'resolved', 'roles', 'states'), in the server's order.
export function values(kind) {
  return (table && table[kind]) || [];
}

// The label of a value; the value itself when the server does not list it.
export function label(kind, name) {
  const value = values(kind).find((entry) => entry.name === name);
  return value ? value.label : name;
}

// [[name, label]] for a select field.
export function options(kind) {
  return values(kind).map((entry) => [entry.name, entry.label]);
}
