-- Undoes: widen prices, optional names, rename email to contact

-- rename column shop_customer.contact to email
ALTER TABLE "shop_customer" RENAME COLUMN "contact" TO "email";

-- rebuild table shop_customer (SQLite cannot alter it in place)
CREATE TABLE "_rebuild_shop_customer" (
  "id" INTEGER PRIMARY KEY,
  "name" TEXT NOT NULL,
  "email" TEXT NOT NULL,
  CONSTRAINT "uq_shop_customer_email" UNIQUE ("email")
);
INSERT INTO "_rebuild_shop_customer" ("id", "name", "email") SELECT "id", "name", "email" FROM "shop_customer";
DROP TABLE "shop_customer";
ALTER TABLE "_rebuild_shop_customer" RENAME TO "shop_customer";

-- DESTRUCTIVE: rebuild table shop_product (SQLite cannot alter it in place): values of shop_product.price that integer cannot hold fail or are cut
CREATE TABLE "_rebuild_shop_product" (
  "id" INTEGER PRIMARY KEY,
  "name" TEXT NOT NULL,
  "price" INTEGER NOT NULL,
  "stock" INTEGER NOT NULL DEFAULT 0
);
INSERT INTO "_rebuild_shop_product" ("id", "name", "price", "stock") SELECT "id", "name", "price", "stock" FROM "shop_product";
DROP TABLE "shop_product";
ALTER TABLE "_rebuild_shop_product" RENAME TO "shop_product";

