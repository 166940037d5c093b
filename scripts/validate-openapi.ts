/** Validates openapi/openapi.json with @apidevtools/swagger-parser (the second, independent check). */
import { readFileSync } from 'node:fs';
import SwaggerParser from '@apidevtools/swagger-parser';

const file = process.argv[2] ?? 'openapi/openapi.json';
const api = await SwaggerParser.validate(JSON.parse(readFileSync(file, 'utf8')));
const operations = Object.values(api.paths ?? {}).reduce((n, path) => n + Object.keys(path ?? {}).length, 0);
process.stdout.write(`${file}: valid (swagger-parser), ${operations} operations\n`);
