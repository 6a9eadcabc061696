/** /webhook_verification_key/get, /institutions/get_by_id */
import type { InstitutionsGetByIdResponse, WebhookVerificationKeyGetResponse } from "plaid";
import { PlaidApiError } from "../errors.js";
import { endpoint, field, nested, str, strings } from "../http.js";
import { COUNTRY_CODES } from "../spec-enums.js";
import { institutionView } from "../views.js";

const { req, opt } = field;

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
];
