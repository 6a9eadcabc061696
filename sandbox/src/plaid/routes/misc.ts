/** /webhook_verification_key/get, /institutions/get_by_id, /institutions/get, /institutions/search */
import type {
  InstitutionsGetByIdResponse,
  InstitutionsGetResponse,
  InstitutionsSearchResponse,
  WebhookVerificationKeyGetResponse,
} from "plaid";
import { PlaidApiError } from "../errors.js";
import { endpoint, field, nested, str, strings, type Body } from "../http.js";
import type { SandboxInstitution } from "../sandbox-data.js";
import { COUNTRY_CODES, PRODUCTS } from "../spec-enums.js";
import { institutionView } from "../views.js";

const { req, opt } = field;

const METADATA_OPTIONS = {
  include_optional_metadata: opt("boolean"),
  include_auth_metadata: opt("boolean"),
  include_payment_initiation_metadata: opt("boolean"),
};

function nonEmpty(body: Body, name: string): string[] | undefined {
  const values = strings(body, name);
  if (values !== undefined && values.length === 0) throw new PlaidApiError("INVALID_FIELD", `${name} must contain at least one value`);
  return values;
}

/** The institutions of `countries` that offer every one of `products` and match `oauth` (when given). */
function filterInstitutions(
  all: SandboxInstitution[],
  filter: { countries: string[]; products?: string[]; oauth?: unknown; routingNumbers?: string[] },
): SandboxInstitution[] {
  return all.filter(
    (i) =>
      i.country_codes.some((c) => filter.countries.includes(c)) &&
      (filter.products ?? []).every((p) => i.products.includes(p)) &&
      (typeof filter.oauth !== "boolean" || i.oauth === filter.oauth) &&
      (filter.routingNumbers === undefined || filter.routingNumbers.some((r) => i.routing_numbers.includes(r))),
  );
}

export const miscRoutes = [
  endpoint("/webhook_verification_key/get", { key_id: req("string") }, ({ service, body }) => {
    const response: Omit<WebhookVerificationKeyGetResponse, "request_id"> = { key: service.webhookVerificationKey(str(body, "key_id")!) };
    return response;
  }),

  endpoint(
    "/institutions/get_by_id",
    { institution_id: req("string"), country_codes: req("string[]", { enum: COUNTRY_CODES }), options: opt("object") },
    ({ service, body }) => {
      const options = nested(body, "options", {
        include_optional_metadata: opt("boolean"),
        include_status: opt("boolean"),
        include_auth_metadata: opt("boolean"),
        include_payment_initiation_metadata: opt("boolean"),
      });
      const institution = service.getInstitution(str(body, "institution_id")!);
      const countries = strings(body, "country_codes")!;
      if (!countries.some((c) => institution.country_codes.includes(c))) {
        throw new PlaidApiError("INVALID_INSTITUTION", "the institution is not available in the requested country_codes");
      }
      const response: Omit<InstitutionsGetByIdResponse, "request_id"> = {
        institution: institutionView(institution, {
          includeOptionalMetadata: options.include_optional_metadata === true,
          includeStatus: options.include_status === true,
        }),
      };
      return response;
    },
  ),

  endpoint(
    "/institutions/get",
    {
      count: req("integer"),
      offset: req("integer"),
      country_codes: req("string[]", { enum: COUNTRY_CODES }),
      options: opt("object"),
    },
    ({ service, body }) => {
      const options = nested(body, "options", {
        ...METADATA_OPTIONS,
        products: opt("string[]", { enum: PRODUCTS }),
        routing_numbers: opt("string[]"),
        oauth: opt("boolean"),
      });
      const count = body.count as number;
      const offset = body.offset as number;
      if (count < 1 || count > 500) throw new PlaidApiError("INVALID_FIELD", "count must be between 1 and 500");
      if (offset < 0) throw new PlaidApiError("INVALID_FIELD", "offset must be at least 0");
      const matching = filterInstitutions(service.listInstitutions(), {
        countries: nonEmpty(body, "country_codes")!,
        products: nonEmpty(options, "products"),
        oauth: options.oauth,
        routingNumbers: strings(options, "routing_numbers"),
      });
      const view = { includeOptionalMetadata: options.include_optional_metadata === true, includeStatus: false };
      const response: Omit<InstitutionsGetResponse, "request_id"> = {
        institutions: matching.slice(offset, offset + count).map((i) => institutionView(i, view)),
        total: matching.length,
      };
      return response;
    },
  ),

  endpoint(
    "/institutions/search",
    {
      query: req("string"),
      products: opt("string[]", { enum: PRODUCTS }),
      country_codes: req("string[]", { enum: COUNTRY_CODES }),
      options: opt("object"),
    },
    ({ service, body }) => {
      const options = nested(body, "options", { ...METADATA_OPTIONS, oauth: opt("boolean"), payment_initiation: opt("object") });
      const query = str(body, "query")!;
      if (query.trim() === "") throw new PlaidApiError("INVALID_FIELD", "query must not be empty");
      const matching = filterInstitutions(service.listInstitutions(query), {
        countries: nonEmpty(body, "country_codes")!,
        products: nonEmpty(body, "products"),
        oauth: options.oauth,
      });
      const view = { includeOptionalMetadata: options.include_optional_metadata === true, includeStatus: false };
      const response: Omit<InstitutionsSearchResponse, "request_id"> = { institutions: matching.map((i) => institutionView(i, view)) };
      return response;
    },
  ),
];
