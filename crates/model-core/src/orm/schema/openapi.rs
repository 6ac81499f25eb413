//! OpenAPI schemas of the generated API schemas (feature `utoipa`), built from what the model
//! already knows: each column's SQL type and nullability, and its validation rules' bounds.
//!
//! Generated code calls this module instead of `#[derive(utoipa::ToSchema)]`, so the user's
//! crate needs no `utoipa` dependency, and column types of any kind (chrono's, or a type of the
//! user's that implements `SqlType`) get a schema without implementing `ToSchema`.

use utoipa::openapi::schema::{
    ArrayBuilder, ObjectBuilder, Schema, SchemaFormat, SchemaType, Type,
};
use utoipa::openapi::{KnownFormat, RefOr};

use crate::sql::value::ColumnType;

/// Bounds and format that a field's `#[validate]` rules add to its schema.
#[doc(hidden)]
#[derive(Debug, Clone, Copy, Default)]
pub struct Limits {
    pub min_length: Option<u64>,
    pub max_length: Option<u64>,
    pub minimum: Option<f64>,
    pub maximum: Option<f64>,
    pub exclusive_minimum: Option<f64>,
    pub exclusive_maximum: Option<f64>,
    /// `email` or `uri`.
    pub format: Option<&'static str>,
}

impl Limits {
    /// No bound at all.
    pub const NONE: Limits = Limits {
        min_length: None,
        max_length: None,
        minimum: None,
        maximum: None,
        exclusive_minimum: None,
        exclusive_maximum: None,
        format: None,
    };
}

/// An object schema, one property at a time.
#[doc(hidden)]
pub struct ObjectSchema {
    builder: ObjectBuilder,
}

impl ObjectSchema {
    pub fn new(description: &str) -> Self {
        let description = (!description.is_empty()).then(|| description.to_owned());
        ObjectSchema {
            builder: ObjectBuilder::new()
                .schema_type(Type::Object)
                .description(description),
        }
    }

    /// A property holding a column's value.
    pub fn column(
        mut self,
        name: &str,
        ty: ColumnType,
        nullable: bool,
        required: bool,
        limits: Limits,
        description: &str,
    ) -> Self {
        self.builder = self
            .builder
            .property(name, column_schema(ty, nullable, &limits, description));
        if required {
            self.builder = self.builder.required(name);
        }
        self
    }

    /// A property that is not a column (an extra field), described by its type's own schema.
    pub fn field<T: utoipa::PartialSchema>(mut self, name: &str, required: bool) -> Self {
        self.builder = self.builder.property(name, T::schema());
        if required {
            self.builder = self.builder.required(name);
        }
        self
    }

    /// A relationship of a `public_with` schema: a reference to the related model's schema,
    /// or `null`; an array of references when `many`.
    pub fn related<T: utoipa::ToSchema>(
        mut self,
        name: &str,
        many: bool,
        description: &str,
    ) -> Self {
        let to = utoipa::openapi::Ref::from_schema_name(T::name());
        let description = (!description.is_empty()).then(|| description.to_owned());
        let schema: RefOr<Schema> = if many {
            ArrayBuilder::new()
                .items(to)
                .description(description)
                .into()
        } else {
            utoipa::openapi::schema::OneOfBuilder::new()
                .item(ObjectBuilder::new().schema_type(Type::Null))
                .item(to)
                .description(description)
                .into()
        };
        self.builder = self.builder.property(name, schema).required(name);
        self
    }

    pub fn build(self) -> RefOr<Schema> {
        self.builder.into()
    }
}

fn column_schema(
    ty: ColumnType,
    nullable: bool,
    limits: &Limits,
    description: &str,
) -> RefOr<Schema> {
    let types = |t: Type| -> SchemaType {
        if nullable {
            SchemaType::from_iter([t, Type::Null])
        } else {
            SchemaType::from(t)
        }
    };
    let description = (!description.is_empty()).then(|| description.to_owned());
    let integer = |min: i64, max: i64, format: KnownFormat| {
        let (lo, hi) = bounds(limits, min as f64, max as f64);
        ObjectBuilder::new()
            .schema_type(types(Type::Integer))
            .format(Some(SchemaFormat::KnownFormat(format)))
            .minimum(Some(whole(lo)))
            .maximum(Some(whole(hi)))
            .exclusive_minimum(limits.exclusive_minimum.map(whole))
            .exclusive_maximum(limits.exclusive_maximum.map(whole))
    };
    let number = |format: KnownFormat| {
        ObjectBuilder::new()
            .schema_type(types(Type::Number))
            .format(Some(SchemaFormat::KnownFormat(format)))
            .minimum(limits.minimum)
            .maximum(limits.maximum)
            .exclusive_minimum(limits.exclusive_minimum)
            .exclusive_maximum(limits.exclusive_maximum)
    };
    let string = |format: Option<SchemaFormat>| {
        let format = format.or(limits.format.map(|f| SchemaFormat::Custom(f.to_owned())));
        ObjectBuilder::new()
            .schema_type(types(Type::String))
            .format(format)
            .min_length(limits.min_length.map(|n| n as usize))
            .max_length(limits.max_length.map(|n| n as usize))
    };
    let object = match ty {
        ColumnType::Bool => ObjectBuilder::new().schema_type(types(Type::Boolean)),
        ColumnType::I16 => integer(i16::MIN.into(), i16::MAX.into(), KnownFormat::Int32),
        ColumnType::I32 => integer(i32::MIN.into(), i32::MAX.into(), KnownFormat::Int32),
        ColumnType::I64 => integer(i64::MIN, i64::MAX, KnownFormat::Int64),
        ColumnType::F32 => number(KnownFormat::Float),
        ColumnType::F64 => number(KnownFormat::Double),
        ColumnType::Text => string(None),
        ColumnType::Date => string(Some(SchemaFormat::KnownFormat(KnownFormat::Date))),
        ColumnType::DateTimeUtc => string(Some(SchemaFormat::KnownFormat(KnownFormat::DateTime))),
        // chrono writes these without an offset, which the `time` and `date-time` formats need.
        ColumnType::Time | ColumnType::DateTime => string(None),
        ColumnType::Uuid => string(Some(SchemaFormat::Custom("uuid".to_owned()))),
        // serde writes bytes as an array of numbers.
        ColumnType::Blob => {
            let byte = ObjectBuilder::new()
                .schema_type(Type::Integer)
                .minimum(Some(0))
                .maximum(Some(255));
            let array = ArrayBuilder::new()
                .schema_type(types(Type::Array))
                .items(byte)
                .min_items(limits.min_length.map(|n| n as usize))
                .max_items(limits.max_length.map(|n| n as usize))
                .description(description);
            return array.into();
        }
        ColumnType::Json => ObjectBuilder::new().schema_type(SchemaType::AnyValue),
    };
    object.description(description).into()
}

/// The tighter of the type's bounds and the rule's.
fn bounds(limits: &Limits, min: f64, max: f64) -> (f64, f64) {
    (
        limits.minimum.map_or(min, |m| m.max(min)),
        limits.maximum.map_or(max, |m| m.min(max)),
    )
}

/// An integer bound as an integer, so that `minimum: 0` is not written `0.0`.
fn whole(v: f64) -> utoipa::Number {
    if v.fract() == 0.0 && v >= isize::MIN as f64 && v <= isize::MAX as f64 {
        utoipa::Number::Int(v as isize)
    } else {
        utoipa::Number::Float(v)
    }
}
