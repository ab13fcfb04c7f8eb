export * from './cloudfront';
export * from './cloudfront-function';
export * from './publisher';
export * from './s3';
export * from './sites';
export * from './upload-policy';
