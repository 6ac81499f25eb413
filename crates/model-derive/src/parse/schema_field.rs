//! One field as an API schema shows it: whether the schema has it, the type and shape of its
//! value there, and what the schema does when a client leaves it out. The create, public and
//! update schemas are all generated from this one description.

use syn::Type;

use super::{Default, Field, Model};

/// The schemas that show the model's columns (a `public_with` schema shows the public one's).
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum SchemaKind {
    /// `create = HeroCreate`: what a client sends to create a row.
    Create,
    /// `public = HeroPublic`: what the API returns.
    Public,
    /// `update = HeroUpdate`: a partial update.
    Update,
}

/// How a schema holds a field's value.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Shape {
    /// The value itself.
    Plain,
    /// An `Option`: `None` is a value of the field (NULL for a column).
    Option,
    /// A `Patch` of an update schema: absent, `null` or a value; `null` only where `nullable`.
    Patch { nullable: bool },
}

/// A field of an API schema.
pub(crate) struct SchemaField<'a> {
    /// The model's field, or the schema's own (`create_field`, `update_field`).
    pub field: &'a Field,
    /// A column of the model, rather than a field of the schema's own.
    pub column: bool,
    /// The type of a value: the field's, or the type inside a generated key's `Option` (the
    /// public schema shows a stored row, whose key is set). A `Patch` holds the type inside
    /// this type's `Option`, see [`SchemaField::patched`].
    pub ty: &'a Type,
    pub shape: Shape,
    /// What a create schema fills in when a client leaves the field out: the model's default.
    pub default: Option<&'a Default>,
    /// Whether a client must send the field (OpenAPI's `required`).
    pub required: bool,
}

impl<'a> SchemaField<'a> {
    /// A column as the schema `kind` shows it; `None` when the schema leaves it out.
    fn column(field: &'a Field, kind: SchemaKind) -> Option<Self> {
        let f = field;
        let left_out = match kind {
            SchemaKind::Create => f.generated || f.version || f.schemas.skip_create.is_some(),
            SchemaKind::Public => f.schemas.skip_public.is_some(),
            SchemaKind::Update => f.primary_key || f.version || f.schemas.skip_update.is_some(),
        };
        if f.skip || left_out {
            return None;
        }
        let plain_or_option = if f.is_option() {
            Shape::Option
        } else {
            Shape::Plain
        };
        let (ty, shape) = match (kind, &f.inner) {
            (SchemaKind::Public, Some(inner)) if f.generated => (inner, Shape::Plain),
            (SchemaKind::Update, _) => (
                &f.ty,
                Shape::Patch {
                    nullable: f.is_option(),
                },
            ),
            _ => (&f.ty, plain_or_option),
        };
        let default = f.default.as_ref().filter(|_| kind == SchemaKind::Create);
        let required = match kind {
            SchemaKind::Create => shape == Shape::Plain && default.is_none(),
            SchemaKind::Public => true,
            SchemaKind::Update => false,
        };
        Some(SchemaField {
            field,
            column: true,
            ty,
            shape,
            default,
            required,
        })
    }

    /// A field of the schema's own.
    fn extra(field: &'a Field, kind: SchemaKind) -> Self {
        let shape = match kind {
            SchemaKind::Update => Shape::Patch {
                nullable: field.is_option(),
            },
            _ if field.is_option() => Shape::Option,
            _ => Shape::Plain,
        };
        SchemaField {
            field,
            column: false,
            ty: &field.ty,
            shape,
            default: None,
            required: shape == Shape::Plain,
        }
    }

    /// The type a `Patch` holds: the value's, without its `Option` (`null` stands for `None`).
    pub fn patched(&self) -> &'a Type {
        self.field.inner.as_ref().unwrap_or(self.ty)
    }
}

impl Model {
    /// The fields of the schema `kind`, in declaration order: the model's columns it shows,
    /// then its own fields.
    pub fn schema_fields(&self, kind: SchemaKind) -> Vec<SchemaField<'_>> {
        let extras = match kind {
            SchemaKind::Create => &self.schemas.create_fields[..],
            SchemaKind::Public => &[],
            SchemaKind::Update => &self.schemas.update_fields[..],
        };
        self.fields
            .iter()
            .filter_map(|f| SchemaField::column(f, kind))
            .chain(extras.iter().map(|f| SchemaField::extra(f, kind)))
            .collect()
    }
}
