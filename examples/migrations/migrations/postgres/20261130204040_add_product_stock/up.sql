-- add product stock

-- add column shop_product.stock
ALTER TABLE "shop_product" ADD COLUMN "stock" INTEGER NOT NULL DEFAULT 0;

