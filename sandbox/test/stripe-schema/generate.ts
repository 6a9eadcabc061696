import path from "node:path";
import ts from "typescript";
import {
  BaseType,
  DEFAULT_CONFIG,
  createFormatter,
  createParser,
  SchemaGenerator,
  type CompletedConfig,
  type Context,
  type Definition,
  type MutableParser,
  type MutableTypeFormatter,
  type SubNodeParser,
  type SubTypeFormatter,
} from "ts-json-schema-generator";

/** The entry file naming the SDK types (objects.ts) and its root interfaces. */
const ENTRY = path.join(import.meta.dirname, "objects.ts");
const ROOTS = ["StripeObjectTypes"];

/** JSON Schema keyword the validator defines: "an API object, checked by its own `object` field". */
export const OBJECT_KEYWORD = "stripeObject";

/**
 * A reference to another API object (anything with a string-literal `object`
 * field: `Customer`, `ApiList<…>`, the object half of an expandable
 * `string | Customer`). It is not inlined: the validator checks the value
 * against the type its own `object` field names, so each object type is
 * generated once and the schema stays small.
 */
class ApiObjectType extends BaseType {
  constructor(readonly objects: string[]) {
    super();
  }
  getId(): string {
    return `api-object-${this.objects.join("|")}`;
  }
}

function objectLiterals(checker: ts.TypeChecker, type: ts.Type): string[] | undefined {
  const prop = type.getProperty("object");
  if (!prop) return undefined;
  const propType = checker.getTypeOfSymbol(prop);
  const members = propType.isUnion() ? propType.types : [propType];
  const values = members.map((m) => (m.isStringLiteral() ? m.value : undefined));
  return values.every((v): v is string => v !== undefined) ? [...new Set(values)].sort() : undefined;
}

/** True for the types objects.ts names directly (they are generated, not referenced). */
function isRootMember(node: ts.Node): boolean {
  let current = node.parent;
  while (ts.isUnionTypeNode(current)) current = current.parent;
  return ts.isPropertySignature(current) && ts.isInterfaceDeclaration(current.parent) && ROOTS.includes(current.parent.name.text);
}

class ApiObjectReferenceParser implements SubNodeParser {
  constructor(private readonly checker: ts.TypeChecker) {}
  supportsNode(node: ts.Node): boolean {
    if (!ts.isTypeReferenceNode(node) || isRootMember(node)) return false;
    return objectLiterals(this.checker, this.checker.getTypeFromTypeNode(node)) !== undefined;
  }
  createType(node: ts.Node, _context: Context): BaseType {
    return new ApiObjectType(objectLiterals(this.checker, this.checker.getTypeFromTypeNode(node as ts.TypeReferenceNode))!);
  }
}

class ApiObjectFormatter implements SubTypeFormatter {
  supportsType(type: BaseType): boolean {
    return type instanceof ApiObjectType;
  }
  getDefinition(type: ApiObjectType): Definition {
    return { type: "object", [OBJECT_KEYWORD]: type.objects } as Definition;
  }
  getChildren(): BaseType[] {
    return [];
  }
}

export interface GeneratedSchema {
  schema: Definition & { definitions: Record<string, Definition> };
  milliseconds: number;
}

/**
 * JSON Schema of the SDK types in objects.ts, from the installed `stripe`
 * package's declarations: unknown fields are refused
 * (additionalProperties: false), `T | null` allows null, and references to
 * other API objects become `stripeObject` checks.
 */
export function generateStripeSchema(): GeneratedSchema {
  const started = performance.now();
  const config: CompletedConfig = {
    ...DEFAULT_CONFIG,
    path: ENTRY,
    type: "*",
    expose: "export",
    topRef: false,
    jsDoc: "none",
    skipTypeCheck: true,
    additionalProperties: false,
  };
  const program = ts.createProgram([ENTRY], {
    strict: true,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    target: ts.ScriptTarget.ES2022,
    skipLibCheck: true,
    noEmit: true,
    types: [],
  });
  const checker = program.getTypeChecker();
  const parser = createParser(program, config, (chain: MutableParser) => {
    chain.addNodeParser(new ApiObjectReferenceParser(checker));
  });
  const formatter = createFormatter(config, (fmt: MutableTypeFormatter) => {
    fmt.addTypeFormatter(new ApiObjectFormatter());
  });
  const schema = new SchemaGenerator(program, parser, formatter, config).createSchema("*");
  return { schema: schema as GeneratedSchema["schema"], milliseconds: performance.now() - started };
}
