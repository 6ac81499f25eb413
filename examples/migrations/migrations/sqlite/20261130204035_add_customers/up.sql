-- add customers

-- create table shop_customer
CREATE TABLE "shop_customer" (
  "id" INTEGER PRIMARY KEY,
  "name" TEXT NOT NULL,
  "email" TEXT NOT NULL,
  CONSTRAINT "uq_shop_customer_email" UNIQUE ("email")
);

