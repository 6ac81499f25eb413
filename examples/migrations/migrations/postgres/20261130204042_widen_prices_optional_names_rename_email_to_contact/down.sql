-- Undoes: widen prices, optional names, rename email to contact

-- rename column shop_customer.contact to email
ALTER TABLE "shop_customer" RENAME COLUMN "contact" TO "email";

-- drop unique constraint uq_shop_customer_contact
ALTER TABLE "shop_customer" DROP CONSTRAINT "uq_shop_customer_contact";

-- alter column shop_product.name: not null
ALTER TABLE "shop_product" ALTER COLUMN "name" SET NOT NULL;

-- DESTRUCTIVE: alter column shop_product.price: type bigint to integer: values of shop_product.price that integer cannot hold fail or are cut
ALTER TABLE "shop_product" ALTER COLUMN "price" TYPE INTEGER USING "price"::integer;

-- add unique constraint uq_shop_customer_email
ALTER TABLE "shop_customer" ADD CONSTRAINT "uq_shop_customer_email" UNIQUE ("email");

