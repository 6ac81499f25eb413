-- create products

-- create table shop_product
CREATE TABLE "shop_product" (
  "id" INTEGER PRIMARY KEY,
  "name" TEXT NOT NULL,
  "price" INTEGER NOT NULL
);

