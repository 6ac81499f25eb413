-- widen prices, optional names, rename email to contact

-- rename column shop_customer.email to contact
ALTER TABLE "shop_customer" RENAME COLUMN "email" TO "contact";

-- drop unique constraint uq_shop_customer_email
ALTER TABLE "shop_customer" DROP CONSTRAINT "uq_shop_customer_email";

-- alter column shop_product.name: nullable
ALTER TABLE "shop_product" ALTER COLUMN "name" DROP NOT NULL;

-- alter column shop_product.price: type integer to bigint
ALTER TABLE "shop_product" ALTER COLUMN "price" TYPE BIGINT USING "price"::bigint;

-- add unique constraint uq_shop_customer_contact
ALTER TABLE "shop_customer" ADD CONSTRAINT "uq_shop_customer_contact" UNIQUE ("contact");

