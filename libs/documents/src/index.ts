export * from './load-document';
