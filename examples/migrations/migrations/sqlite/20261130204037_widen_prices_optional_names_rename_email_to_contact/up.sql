-- widen prices, optional names, rename email to contact

-- rename column shop_customer.email to contact
ALTER TABLE "shop_customer" RENAME COLUMN "email" TO "contact";

-- rebuild table shop_customer (SQLite cannot alter it in place)
CREATE TABLE "_rebuild_shop_customer" (
  "id" INTEGER PRIMARY KEY,
  "name" TEXT NOT NULL,
  "contact" TEXT NOT NULL,
  CONSTRAINT "uq_shop_customer_contact" UNIQUE ("contact")
);
INSERT INTO "_rebuild_shop_customer" ("id", "name", "contact") SELECT "id", "name", "contact" FROM "shop_customer";
DROP TABLE "shop_customer";
ALTER TABLE "_rebuild_shop_customer" RENAME TO "shop_customer";

-- rebuild table shop_product (SQLite cannot alter it in place)
CREATE TABLE "_rebuild_shop_product" (
  "id" INTEGER PRIMARY KEY,
  "name" TEXT,
  "price" BIGINT NOT NULL,
  "stock" INTEGER NOT NULL DEFAULT 0
);
INSERT INTO "_rebuild_shop_product" ("id", "name", "price", "stock") SELECT "id", "name", "price", "stock" FROM "shop_product";
DROP TABLE "shop_product";
ALTER TABLE "_rebuild_shop_product" RENAME TO "shop_product";

