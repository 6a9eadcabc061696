// @ts-check
/**
 * `npm run lint` (with knip and prettier --check). ESLint 10 with
 * typescript-eslint, Next's own rules (@next/eslint-plugin-next) and the
 * React hooks rules. Not eslint-config-next: it bundles eslint-plugin-react,
 * -import and -jsx-a11y, which do not run on ESLint 10 yet (accessibility is
 * checked in the browser by the axe scans of the e2e suite).
 *
 * The project's own rules (the `fundwell` plugin below) keep the boundaries:
 * - fundwell/server-only-marker: which lib/ modules are server-only, and that
 *   they say so with `import "server-only"`;
 * - fundwell/client-boundary: "use client" code never imports server code;
 * - fundwell/sandbox-isolation: sandbox/ imports nothing from the app;
 * and `no-restricted-imports` keeps lib/db, lib/crypto, lib/secrets and
 * lib/config out of components/, and keeps lib/ folders in one-way layers.
 */
import { readFileSync, statSync } from "node:fs";
import { builtinModules } from "node:module";
import path from "node:path";
import js from "@eslint/js";
import nextPlugin from "@next/eslint-plugin-next";
import reactHooks from "eslint-plugin-react-hooks";
import globals from "globals";
import { defineConfig } from "eslint/config";
import tseslint from "typescript-eslint";

const ROOT = import.meta.dirname;

/** The folders the issue names: secrets, keys, the database and the configuration live there. */
const SERVER_FOLDERS = ["lib/db", "lib/crypto", "lib/secrets", "lib/config"];

/** Packages only a server can (or may) load: Node built-ins, database drivers, SDKs with secret keys, session internals. */
const NODE_BUILTINS = new Set(builtinModules);
const SERVER_PACKAGE =
  /^(node:|pg$|@prisma\/|@electric-sql\/|@node-rs\/|stripe$|plaid$|jose$|nodemailer$|next-auth(\/(?!react$).*)?$|next\/headers$|next\/server$)/;
const isServerPackage = (/** @type {string} */ spec) => SERVER_PACKAGE.test(spec) || NODE_BUILTINS.has(spec.split("/")[0] ?? "");

/** Project-relative path with forward slashes. */
const projectPath = (/** @type {string} */ file) => path.relative(ROOT, file).split(path.sep).join("/");
const inFolder = (/** @type {string} */ rel, /** @type {string} */ folder) => rel === folder || rel.startsWith(`${folder}/`);

/** The project file an import names (`@/x`, or relative), or null for a package. */
function resolveLocal(/** @type {string} */ fromFile, /** @type {string} */ spec) {
  let base;
  if (spec.startsWith("@/")) base = path.join(ROOT, spec.slice(2));
  else if (spec.startsWith(".")) base = path.resolve(path.dirname(fromFile), spec);
  else return null;
  const stem = base.replace(/\.(m?js|jsx)$/, "");
  const candidates = [
    base,
    `${stem}.ts`,
    `${stem}.tsx`,
    `${stem}.mjs`,
    `${stem}.js`,
    path.join(base, "index.ts"),
    path.join(base, "index.tsx"),
  ];
  return candidates.find(isFile) ?? base;
}

function isFile(/** @type {string} */ file) {
  try {
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

/** Whether a file starts its imports with `import "server-only"` (cached for the run). */
const markerCache = new Map();
const MARKER = /^\s*import\s+["']server-only["']\s*;?\s*$/m;
function hasMarker(/** @type {string} */ file) {
  if (!markerCache.has(file)) {
    let marked = false;
    try {
      marked = MARKER.test(readFileSync(file, "utf8"));
    } catch {
      // not a file
    }
    markerCache.set(file, marked);
  }
  return markerCache.get(file);
}

/** Generated Prisma code: the client and its internals are server-only; the enums (and the browser entry) are not. */
const isServerGenerated = (/** @type {string} */ rel) => inFolder(rel, "lib/generated") && !/\/(enums|browser)\.ts$/.test(rel);

/** Why the module an import names is server-only, or null. */
function serverReason(/** @type {string} */ fromFile, /** @type {string} */ spec) {
  if (spec === "server-only") return null;
  const local = resolveLocal(fromFile, spec);
  if (!local) return isServerPackage(spec) ? `imports "${spec}"` : null;
  const rel = projectPath(local);
  if (SERVER_FOLDERS.some((f) => inFolder(rel, f))) return `imports ${rel.replace(/\.tsx?$/, "")}`;
  if (isServerGenerated(rel)) return `imports the Prisma client (${rel.replace(/\.tsx?$/, "")})`;
  if (hasMarker(local)) return `imports ${rel.replace(/\.tsx?$/, "")}, which is server-only`;
  return null;
}

/** Every module specifier a file names: imports, re-exports, literal dynamic imports. */
function eachImport(/** @type {(node: any, spec: string, typeOnly: boolean) => void} */ visit) {
  const fromDeclaration = (/** @type {any} */ node) => {
    if (!node.source || typeof node.source.value !== "string") return;
    const typeOnly =
      node.importKind === "type" ||
      node.exportKind === "type" ||
      (node.specifiers?.length > 0 && node.specifiers.every((/** @type {any} */ s) => s.importKind === "type" || s.exportKind === "type"));
    visit(node, node.source.value, typeOnly);
  };
  return {
    ImportDeclaration: fromDeclaration,
    ExportNamedDeclaration: fromDeclaration,
    ExportAllDeclaration: fromDeclaration,
    ImportExpression(/** @type {any} */ node) {
      if (node.source.type === "Literal" && typeof node.source.value === "string") visit(node, node.source.value, false);
    },
  };
}

const isClientModule = (/** @type {any} */ program) =>
  program.body.some((/** @type {any} */ s) => s.type === "ExpressionStatement" && s.directive === "use client");

const fundwell = {
  meta: { name: "fundwell" },
  rules: {
    /**
     * A lib/ module is server-only when it lives in lib/db, lib/crypto,
     * lib/secrets or lib/config, reads process.env, or imports (even for its
     * types) a Node built-in, a server package (pg, Prisma, PGlite, argon2,
     * Stripe, Plaid, jose, nodemailer, next-auth, next/headers, next/server), the Prisma client, or
     * another server-only module. Such a module must `import "server-only"`,
     * so that Next fails the build if client code ever reaches it. The rest of
     * lib/ (pure types, formatters, errors, zod schemas, the Prisma enums) is
     * isomorphic: client components may import it. A module may also opt in
     * with the marker; its importers in lib/ then follow.
     */
    "server-only-marker": {
      meta: {
        type: "problem",
        fixable: "code",
        schema: [],
        messages: {
          missing: 'Server-only module ({{reason}}): add `import "server-only";` before its other imports.',
          client: 'A "use client" module cannot be server-only: remove `import "server-only"` or the directive.',
        },
      },
      create(/** @type {any} */ context) {
        const rel = projectPath(context.filename);
        const reasons = /** @type {string[]} */ ([]);
        /** @type {any} */
        let marker = null;
        if (SERVER_FOLDERS.some((f) => inFolder(rel, f))) reasons.push(`in ${rel.split("/").slice(0, 2).join("/")}`);
        return {
          ...eachImport((node, spec) => {
            if (spec === "server-only" && node.type === "ImportDeclaration" && node.specifiers.length === 0) marker = node;
            const reason = serverReason(context.filename, spec);
            if (reason) reasons.push(reason);
          }),
          MemberExpression(/** @type {any} */ node) {
            if (
              node.object.type === "Identifier" &&
              node.object.name === "process" &&
              node.property.type === "Identifier" &&
              node.property.name === "env"
            ) {
              reasons.push("reads process.env");
            }
          },
          "Program:exit"(/** @type {any} */ program) {
            if (marker && isClientModule(program)) context.report({ node: marker, messageId: "client" });
            if (marker || reasons.length === 0) return;
            const first = program.body.find((/** @type {any} */ s) => !(s.type === "ExpressionStatement" && s.directive));
            context.report({
              loc: { line: 1, column: 0 },
              messageId: "missing",
              data: { reason: reasons[0] },
              fix: first ? (/** @type {any} */ fixer) => fixer.insertTextBefore(first, 'import "server-only";\n') : null,
            });
          },
        };
      },
    },

    /**
     * "use client" modules (anywhere) never import lib/db, lib/crypto,
     * lib/secrets or lib/config (not even types), nor load a server package
     * or a server-only module. Type-only imports of other server modules are
     * fine: they are erased before the browser sees anything.
     */
    "client-boundary": {
      meta: {
        type: "problem",
        schema: [],
        messages: { server: '"use client" module: {{reason}}. Pass the data in as props, or move the code to an isomorphic module.' },
      },
      create(/** @type {any} */ context) {
        /** @type {{ node: any, reason: string }[]} */
        const found = [];
        return {
          ...eachImport((node, spec, typeOnly) => {
            const local = resolveLocal(context.filename, spec);
            const rel = local && projectPath(local);
            if (rel && SERVER_FOLDERS.some((f) => inFolder(rel, f))) found.push({ node, reason: `imports ${rel.replace(/\.tsx?$/, "")}` });
            else if (!typeOnly) {
              const reason = serverReason(context.filename, spec);
              if (reason) found.push({ node, reason });
            }
          }),
          "Program:exit"(/** @type {any} */ program) {
            if (!isClientModule(program)) return;
            for (const { node, reason } of found) context.report({ node, messageId: "server", data: { reason } });
          },
        };
      },
    },

    /** sandbox/ is a stand-alone Plaid + Stripe stand-in: it imports nothing outside its own folder. */
    "sandbox-isolation": {
      meta: {
        type: "problem",
        schema: [],
        messages: { outside: "sandbox/ imports nothing from the app: {{spec}} is outside sandbox/." },
      },
      create(/** @type {any} */ context) {
        return eachImport((node, spec) => {
          const local = resolveLocal(context.filename, spec);
          if (local && !inFolder(projectPath(local), "sandbox")) context.report({ node, messageId: "outside", data: { spec } });
        });
      },
    },
  },
};

const SERVER_FOLDER_IMPORTS = SERVER_FOLDERS.flatMap((f) => [`@/${f}`, `@/${f}/*`, `**/${f}`, `**/${f}/*`]);

/**
 * The layers of lib/, bottom up. A folder imports only from its own layer's
 * foundations below it, never upward, so no two lib/ folders depend on each
 * other (README, "Dependencies between lib/ folders"). Within the first
 * layer the order is db/secrets/audit over config/crypto/observability.
 */
const LIB_LAYERS = [
  ["config", "observability", "crypto", "db", "secrets", "audit", "mail"],
  ["auth", "plaid", "stripe", "settings"],
  ["funding"],
  ["banking"],
  ["admin", "webhooks"],
  ["http"],
];
const folderImports = (/** @type {string} */ f) => [`@/lib/${f}`, `@/lib/${f}/*`, `**/lib/${f}`, `**/lib/${f}/*`, `../${f}`, `../${f}/*`];
const libLayerRules = LIB_LAYERS.flatMap((layer, level) =>
  layer.flatMap((folder) => {
    const above = LIB_LAYERS.slice(level + 1).flat();
    // Siblings in the upper layers are independent of each other too (the first layer's are ordered as above).
    const siblings = level === 0 ? [] : layer.filter((f) => f !== folder);
    const forbidden = [...above, ...siblings];
    if (forbidden.length === 0) return [];
    return {
      files: [`lib/${folder}/**/*.{ts,tsx}`],
      rules: {
        "no-restricted-imports": [
          "error",
          {
            patterns: [
              {
                group: forbidden.flatMap(folderImports),
                message: `lib/${folder} may not import ${forbidden.map((f) => `lib/${f}`).join(", ")}: lib/ folders depend one way (LIB_LAYERS in eslint.config.mjs).`,
              },
            ],
          },
        ],
      },
    };
  }),
);

export default defineConfig(
  {
    ignores: [
      "lib/generated/**",
      ".next/**",
      ".next-*/**",
      ".data/**",
      "test-results/**",
      "playwright-report/**",
      "blob-report/**",
      "coverage/**",
      "next-env.d.ts",
    ],
  },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    linterOptions: { reportUnusedDisableDirectives: "error" },
    rules: {
      // tsc reports unused locals and parameters (noUnusedLocals, noUnusedParameters in tsconfig.json).
      "@typescript-eslint/no-unused-vars": "off",
    },
  },
  {
    files: ["**/*.{js,mjs,cjs}"],
    languageOptions: { globals: globals.node },
  },
  {
    files: ["app/**/*.{ts,tsx}", "components/**/*.{ts,tsx}"],
    ...nextPlugin.configs["core-web-vitals"],
    rules: {
      ...nextPlugin.configs["core-web-vitals"].rules,
      // For the pages/ router, which the app does not use (it would warn that pages/ is missing).
      "@next/next/no-html-link-for-pages": "off",
    },
  },
  {
    files: ["**/*.tsx", "components/**/*.ts"],
    ...reactHooks.configs.flat.recommended,
  },
  {
    plugins: { fundwell },
    rules: {
      "fundwell/client-boundary": "error",
    },
  },
  {
    files: ["lib/**/*.{ts,tsx}"],
    rules: { "fundwell/server-only-marker": "error" },
  },
  {
    files: ["sandbox/**"],
    rules: { "fundwell/sandbox-isolation": "error" },
  },
  ...libLayerRules,
  {
    // Playwright reads a fixture's first parameter to know which fixtures it uses: `{}` is "none".
    files: ["e2e/**"],
    rules: { "no-empty-pattern": ["error", { allowObjectPatternsAsParameters: true }] },
  },
  {
    files: ["components/**"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              group: SERVER_FOLDER_IMPORTS,
              message:
                "components/ never import lib/db, lib/crypto, lib/secrets or lib/config: a server page or route reads the data and passes it in as props.",
            },
          ],
        },
      ],
    },
  },
);
