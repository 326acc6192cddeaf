// Checks Kubernetes objects against Kubernetes' own type definitions, strictly, as the API server's strict field
// validation does: every field must exist in the official client's generated model of its kind (@kubernetes/client-node,
// API release 1.36, model files loaded directly), and kubernetes-models must accept the object (types, required
// fields, formats). Usage: node validate.mjs FILE.json  (a List, or one object). Prints {"errors":[...]}; exit 1 on errors.
import { readFileSync } from 'node:fs';

const modelsDir = new URL('./node_modules/@kubernetes/client-node/dist/gen/models/', import.meta.url);
const models = new Map();
const leafTypes = new Set(['string', 'number', 'boolean', 'Date', 'any', 'object', 'IntOrString', '{ [key: string]: any; }']);

async function model(name) {
  if (!models.has(name)) {
    try {
      const module = await import(new URL(`${name}.js`, modelsDir));
      models.set(name, module[name] ?? null);
    } catch {
      models.set(name, null);
    }
  }
  return models.get(name);
}

async function checkFields(value, type, path, errors) {
  if (value === null || value === undefined || leafTypes.has(type)) return;
  const array = /^Array<(.+)>$/.exec(type);
  if (array) {
    if (!Array.isArray(value)) { errors.push(`${path}: expected an array`); return; }
    for (let i = 0; i < value.length; i++) await checkFields(value[i], array[1], `${path}[${i}]`, errors);
    return;
  }
  const map = /^\{ \[key: string\]: (.+); \}$/.exec(type);
  if (map) {
    if (typeof value !== 'object' || Array.isArray(value)) { errors.push(`${path}: expected an object`); return; }
    for (const [key, item] of Object.entries(value)) await checkFields(item, map[1], `${path}.${key}`, errors);
    return;
  }
  const cls = await model(type);
  if (!cls) { errors.push(`${path}: no model ${type} in @kubernetes/client-node`); return; }
  if (typeof value !== 'object' || Array.isArray(value)) { errors.push(`${path}: expected an object (${type})`); return; }
  const attributes = new Map(cls.getAttributeTypeMap().map((a) => [a.baseName, a.type]));
  for (const [key, item] of Object.entries(value)) {
    if (!attributes.has(key)) errors.push(`${path}.${key}: unknown field (not in ${type})`);
    else await checkFields(item, attributes.get(key), `${path}.${key}`, errors);
  }
}

async function checkObject(object, errors) {
  const where = `${object.kind}/${object.metadata?.name}`;
  const [group, version] = object.apiVersion.includes('/') ? object.apiVersion.split('/') : ['', object.apiVersion];
  const typeName = version.charAt(0).toUpperCase() + version.slice(1) + object.kind;
  const found = [];
  await checkFields(object, typeName, where, found);
  errors.push(...found);
  try {
    const module = await import(`kubernetes-models/${group || 'v1'}${group ? '/' + version : ''}/${object.kind}`);
    new module[object.kind](object).validate();
  } catch (e) {
    errors.push(`${where}: kubernetes-models: ${e.message}`);
  }
}

const input = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const errors = [];
for (const object of input.kind === 'List' ? input.items : [input]) await checkObject(object, errors);
process.stdout.write(JSON.stringify({ errors }) + '\n');
process.exit(errors.length ? 1 : 0);
