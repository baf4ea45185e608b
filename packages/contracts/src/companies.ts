import { Type } from "typebox";
import { PageQuery, StrictObject, Timestamp, Uuid } from "./common.ts";
import { Attributes } from "./contacts.ts";

const MrrCents = Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER });

export const Company = Type.Object({
  id: Uuid,
  name: Type.String(),
  domain: Type.Union([Type.String(), Type.Null()]),
  plan: Type.Union([Type.String(), Type.Null()]),
  mrr_cents: Type.Integer(),
  attributes: Attributes,
  created_at: Timestamp,
  updated_at: Timestamp,
});

export const CompanyDetail = Type.Object({ ...Company.properties, contact_count: Type.Integer() });

export const CreateCompanyBody = StrictObject({
  name: Type.String({ minLength: 1, maxLength: 200 }),
  domain: Type.Optional(
    Type.Union([Type.String({ format: "hostname", minLength: 1, maxLength: 253 }), Type.Null()]),
  ),
  plan: Type.Optional(Type.Union([Type.String({ minLength: 1, maxLength: 100 }), Type.Null()])),
  mrr_cents: Type.Optional(MrrCents),
  /** Replaces the whole set of attributes. */
  attributes: Type.Optional(Attributes),
});

export const UpdateCompanyBody = StrictObject({
  name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  domain: CreateCompanyBody.properties.domain,
  plan: CreateCompanyBody.properties.plan,
  mrr_cents: Type.Optional(MrrCents),
  attributes: Type.Optional(Attributes),
});

export const CompanyListQuery = StrictObject({
  ...PageQuery,
  /** Matches the start of the name, ignoring case. */
  q: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
});
