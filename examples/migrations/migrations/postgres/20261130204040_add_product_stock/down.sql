-- Undoes: add product stock

-- DESTRUCTIVE: drop column shop_product.stock: drops every value of shop_product.stock
ALTER TABLE "shop_product" DROP COLUMN "stock";

