import { Type } from "typebox";
import { Email, PageQuery, StrictObject, Timestamp, Uuid } from "./common.ts";

const AttributeValue = Type.Union([
  Type.String({ maxLength: 2000 }),
  Type.Number(),
  Type.Boolean(),
  Type.Null(),
]);

/** Custom attributes: a flat object of up to 50 string, number, boolean or null values. */
export const Attributes = Type.Object(
  {},
  {
    additionalProperties: AttributeValue,
    maxProperties: 50,
    propertyNames: { minLength: 1, maxLength: 100 },
  },
);

const NullableText = (maxLength: number) =>
  Type.Union([Type.String({ minLength: 1, maxLength }), Type.Null()]);

export const Contact = Type.Object({
  id: Uuid,
  name: Type.Union([Type.String(), Type.Null()]),
  email: Type.Union([Type.String(), Type.Null()]),
  phone: Type.Union([Type.String(), Type.Null()]),
  company_id: Type.Union([Uuid, Type.Null()]),
  attributes: Attributes,
  created_at: Timestamp,
  updated_at: Timestamp,
});

const contactFields = {
  name: Type.Optional(NullableText(200)),
  email: Type.Optional(Type.Union([Email, Type.Null()])),
  phone: Type.Optional(NullableText(50)),
  company_id: Type.Optional(Type.Union([Uuid, Type.Null()])),
  /** Replaces the whole set of attributes. */
  attributes: Type.Optional(Attributes),
};

export const CreateContactBody = StrictObject(contactFields);
export const UpdateContactBody = StrictObject(contactFields);

export const ContactListQuery = StrictObject({
  ...PageQuery,
  /** Matches the start of the name or the email, ignoring case. */
  q: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  company_id: Type.Optional(Uuid),
});
